// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// The schema is in priority.ts.

/**
 * How soon a generation gets a lease when a model's cap is full, highest first. `interactive`: someone is
 * waiting for this one (an editor's regeneration, a single video a backend asked for, a teacher's re-done
 * chunk). `normal`: a project's own generations. `batch`: bulk work no one watches clip by clip (campaigns,
 * scheduled runs).
 */
export const PRIORITY_CLASSES = ['interactive', 'normal', 'batch'] as const;
type ClassName = (typeof PRIORITY_CLASSES)[number];

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
} as const satisfies Record<string, ClassName>;

/**
 * A class that has had no lease of a model for this long while it waited goes ahead of the higher classes
 * once: the guard that keeps batch from starving under a steady stream of interactive work.
 */
export const DEFAULT_PRIORITY_AGING_MS = 10 * 60_000;

/**
 * The same classes as Temporal task-queue priority keys (1 goes first, 5 last; Temporal's default is 3). Under a
 * backlog of workflow and activity tasks (a campaign starting hundreds of children at once), Temporal's matching
 * hands a poller an interactive generation's tasks, and its workload's, before a batch backlog's, as the lease pool
 * hands it the next slot. Child workflows and activities take their workflow's key unless they set one.
 */
export const TEMPORAL_PRIORITY_KEY = { interactive: 1, normal: 3, batch: 5 } as const satisfies Record<ClassName, number>;

/** The lease pool decides for every workload: its tasks go first of all. */
export const LEASE_POOL_PRIORITY = { priorityKey: 1 } as const;

/** A workflow start's Temporal priority: its class, or the kind of work's default. */
export function temporalPriority(priority: ClassName | undefined, fallback: ClassName): { priorityKey: number } {
  return { priorityKey: TEMPORAL_PRIORITY_KEY[priority ?? fallback] };
}
