/** Where the chaos runs: the dev stack (`npm run chaos`) or the production topology (`npm run chaos -- --production`). */
export type ChaosTopology = 'dev' | 'production';

export interface ChaosOptions {
  /** Names the campaign and the data dir ("full", "jest"). */
  label: string;
  /** Default: dev. */
  topology?: ChaosTopology;
  /** Worker replicas of the production topology (default 3); the dev stack runs one worker process. */
  replicas?: number;
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
  /** How long the production topology's PostgreSQL stays crashed before it is started again. */
  postgresDownMs?: number;
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

/**
 * `npm run chaos -- --production`: the same campaign on the production topology. Its Temporal server takes ~9 s to
 * restart on top of the outage, so the campaign gets longer to finish.
 */
export const PRODUCTION_CHAOS: ChaosOptions = {
  ...FULL_CHAOS,
  topology: 'production',
  replicas: 3,
  postgresDownMs: 3_000,
  timeoutMs: 10 * 60_000,
};

/**
 * The `npm test` run on the production topology: SMALL_CHAOS plus the PostgreSQL crash. Twenty variants, not
 * twelve: it has one disruption more to land while generations run, and on a loaded machine a worker restart
 * and a Temporal restart alone can outlast twelve.
 */
export const SMALL_PRODUCTION_CHAOS: ChaosOptions = {
  ...SMALL_CHAOS,
  label: 'jest-production',
  variants: 20,
  topology: 'production',
  replicas: 3,
  postgresDownMs: 2_000,
  timeoutMs: 210_000,
};

/** The options as the report records them: everything but the log callback. */
export function withoutLog(options: ChaosOptions): Omit<ChaosOptions, 'log'> {
  const { log: _log, ...rest } = options;
  return rest;
}
