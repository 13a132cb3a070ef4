// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// The schema is in priority.ts.

/**
 * How soon a generation gets a lease when a model's cap is full, highest first. `interactive`: someone is
 * waiting for this one (an editor's regeneration, a single video a backend asked for, a teacher's re-done
 * chunk). `normal`: a project's own generations. `batch`: bulk work no one watches clip by clip (campaigns,
 * scheduled runs).
 */
export const PRIORITY_CLASSES = ['interactive', 'normal', 'batch'] as const;

/** Each kind of work's class unless its start says otherwise (`options.priority`). */
export const DEFAULT_PRIORITY = {
  /** A single generation started on its own (the CLI, a backend's `startGeneration`). */
  generation: 'interactive',
  /** A regeneration an editor or teacher asked for in review. */
  review: 'interactive',
  broll: 'normal',
  explainer: 'normal',
  /** Campaigns, and so the runs their Temporal Schedules start. */
  campaign: 'batch',
} as const satisfies Record<string, (typeof PRIORITY_CLASSES)[number]>;

/**
 * A class that has had no lease of a model for this long while it waited goes ahead of the higher classes
 * once: the guard that keeps batch from starving under a steady stream of interactive work.
 */
export const DEFAULT_PRIORITY_AGING_MS = 10 * 60_000;
