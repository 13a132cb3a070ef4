export interface ChaosOptions {
  /** Names the campaign and the data dir ("full", "jest"). */
  label: string;
  variants: number;
  /** RUNWAY_MAX_CONCURRENCY of the worker, and the simulated account's concurrency. */
  cap: number;
  seed: number;
  /** Simulated seconds per real second. */
  timeScale: number;
  /** Generation time, simulated seconds (uniform). */
  generationSeconds: { min: number; max: number };
  /** Life of a signed output URL, simulated seconds. */
  urlTtlSeconds: number;
  pollIntervalMs: number;
  maxPendingWaitMs: number;
  maxRunningWaitMs: number;
  temporalDownMs: number;
  s3DownMs: number;
  /** Give up on the campaign after this long (the report then fails). */
  timeoutMs: number;
  /** Default: `.data/chaos-<label>-<timestamp>` (kept for its logs). */
  dataDir?: string;
  log?: (line: string) => void;
}

/** `npm run chaos`: a campaign of 50. Generations of 1.5 – 3 s real. */
export const FULL_CHAOS: ChaosOptions = {
  label: 'full',
  variants: 50,
  cap: 10,
  seed: 5,
  timeScale: 600,
  generationSeconds: { min: 900, max: 1800 },
  urlTtlSeconds: 1200,
  pollIntervalMs: 200,
  maxPendingWaitMs: 4_000,
  maxRunningWaitMs: 120_000,
  temporalDownMs: 5_000,
  s3DownMs: 10_000,
  timeoutMs: 8 * 60_000,
};

/** The `npm test` version: 12 variants under a cap of 4 (so the cap is actually reached), shorter outages. */
export const SMALL_CHAOS: ChaosOptions = {
  ...FULL_CHAOS,
  label: 'jest',
  variants: 12,
  cap: 4,
  temporalDownMs: 3_000,
  s3DownMs: 6_000,
  timeoutMs: 150_000,
};

/** The options as the report records them: everything but the log callback. */
export function withoutLog(options: ChaosOptions): Omit<ChaosOptions, 'log'> {
  const { log: _log, ...rest } = options;
  return rest;
}
