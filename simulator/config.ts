import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { VIDEO_ENDPOINTS, VIDEO_MODEL_IDS } from './contract';
import { SPEECH_MODELS } from './speech';

/**
 * Simulator configuration. Every duration is in SIMULATED seconds (scaled by `timeScale`, the number of
 * simulated seconds per real second) except the transport-level ones, which are real time because a
 * client experiences them literally: `faults.latencyMs` (ms) and every Retry-After value (s).
 */
export const DEFAULT_API_SECRET = 'sim_dev_secret';
export const DEFAULT_MEDIA_CACHE_DIR = path.join(os.homedir(), '.cache', 'runway-temporal', 'media');
export const DEFAULT_MODERATION_TERMS = ['nsfw', 'gore', 'forbidden-content'];

const seconds = z.number().nonnegative().finite();
const rate = z.number().min(0).max(1);

export const durationDistributionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), seconds }),
  z
    .strictObject({ kind: z.literal('uniform'), min: seconds, max: seconds })
    .refine((range) => range.max >= range.min, 'uniform: max must be >= min'),
  z.strictObject({ kind: z.literal('lognormal'), median: z.number().positive(), sigma: z.number().nonnegative() }),
]);
export type DurationDistribution = z.infer<typeof durationDistributionSchema>;

export const faultKindSchema = z.enum([
  'bad_output',
  'moderation',
  'stuck_queue',
  'stuck_running',
  'truncate_download',
  'expire_url',
  'http_error',
  'reset',
  'fail',
  'off_contract',
]);
export type FaultKind = z.infer<typeof faultKindSchema>;

export const faultRouteSchema = z.enum(['create', 'get', 'delete', 'media']);
export type FaultRoute = z.infer<typeof faultRouteSchema>;

/** Every model the simulator knows: the video models of its contract table and the speech models. */
export const simModelSchema = z.enum([...SPEECH_MODELS, ...VIDEO_MODEL_IDS]);

/** A per-model limit: an integer ≥ 1, or null for no limit (what GET /v1/organization shows as null). */
const limitSchema = z.number().int().min(1).nullable();

export const faultMatchSchema = z.strictObject({
  promptIncludes: z.string().min(1).optional(),
  model: simModelSchema.optional(),
  endpoint: z.enum([...VIDEO_ENDPOINTS, 'text_to_speech']).optional(),
});
export type FaultMatch = z.infer<typeof faultMatchSchema>;

/** A deterministic fault: applied to every matching request or task until `times` applications are used up. */
export const faultRuleSchema = z.strictObject({
  match: faultMatchSchema.prefault({}),
  fault: faultKindSchema,
  times: z.number().int().positive().optional(),
  /** http_error only: the status to answer (default 503). */
  status: z.number().int().min(400).max(599).optional(),
  /** http_error only: Retry-After header value, real seconds. */
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  /** http_error and reset: which route the fault hits (default create). */
  route: faultRouteSchema.optional(),
  /** reset on create/delete: do the work, then drop the connection (the answer is lost, the effect is not). */
  afterProcessing: z.boolean().optional(),
  /** fail only: the task runs, then FAILs with this failureCode (absent: a FAILED without failureCode). */
  failureCode: z.string().min(1).optional(),
  /** fail only: the task's `failure` text. */
  failure: z.string().min(1).optional(),
  /**
   * off_contract only: fields laid over the matched task's GET answer (200), null removing one, e.g.
   * `{ "status": "ARCHIVED" }` or `{ "status": "SUCCEEDED", "output": null }`. Default: an undocumented status.
   */
  body: z.record(z.string(), z.unknown()).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const faultsSchema = z.strictObject({
  moderationTerms: z.array(z.string().min(1)).default(DEFAULT_MODERATION_TERMS),
  badOutputRate: rate.default(0),
  stuckQueueRate: rate.default(0),
  stuckRunningRate: rate.default(0),
  truncateDownloadRate: rate.default(0),
  /** Share of POST creates answered 429 with Retry-After. */
  rateLimitRate: rate.default(0),
  /** Retry-After on random 429s, real seconds. */
  retryAfterSeconds: z.number().int().nonnegative().default(1),
  /** Share of requests answered 502/503/504, per method. */
  serverErrorRate: z.strictObject({ post: rate.default(0), get: rate.default(0), delete: rate.default(0) }).prefault({}),
  /** Share of /v1 requests whose connection is destroyed before any answer. */
  resetRate: rate.default(0),
  /** Added latency on /v1 requests, real milliseconds, uniform in [min, max]. */
  latencyMs: z
    .strictObject({ min: seconds.default(0), max: seconds.default(0) })
    .refine((range) => range.max >= range.min, 'latencyMs: max must be >= min')
    .prefault({}),
  rules: z.array(faultRuleSchema).default([]),
});

export const simulatorConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8787),
  /** Origin used in signed media URLs; defaults to the listening http://host:port. */
  publicUrl: z.url().optional(),
  apiSecret: z.string().min(1).default(DEFAULT_API_SECRET),
  /** HMAC key for media URLs; defaults to one derived from apiSecret and seed. */
  signingSecret: z.string().min(1).optional(),
  timeScale: z.number().positive().finite().default(1),
  seed: z.number().int().default(42),
  /** maxConcurrentGenerations for every model, unless concurrencyByModel says otherwise. */
  concurrency: z.number().int().min(1).default(10),
  /** Per-model maxConcurrentGenerations over `concurrency`; null = no limit (the model is never THROTTLED). */
  concurrencyByModel: z.partialRecord(simModelSchema, limitSchema).default({}),
  /** Generations each model may create in a rolling 24 simulated hours, unless maxDailyGenerationsByModel says otherwise; null = no limit. */
  maxDailyGenerations: limitSchema.default(5000),
  maxDailyGenerationsByModel: z.partialRecord(simModelSchema, limitSchema).default({}),
  /** The models the workspace has (GET /v1/organization lists only these; others are refused); null = every model the simulator knows. */
  models: z.array(simModelSchema).min(1).nullable().default(null),
  /**
   * Generations other clients of the workspace made of each model, stamped at the moment the config that
   * names the model is applied: they count toward its daily limit and usage until 24 simulated hours later.
   */
  dailyUsage: z.partialRecord(simModelSchema, z.number().int().nonnegative()).default({}),
  creditBalance: z.number().nonnegative().default(1_000_000),
  /**
   * `tier.maxMonthlyCreditSpend`: what the organization may spend on credits in a rolling 30-day window
   * (Runway's Usage Tiers docs: purchases past it are refused and autobilling tops up only to it). The
   * simulator's workspace is autobilled, so a create whose estimated cost would take the 30 days' net
   * charges past it is refused like a create the balance cannot pay (400).
   */
  maxMonthlyCreditSpend: z.number().nonnegative().default(1_000_000),
  /**
   * Credits other clients of the workspace spent per model, stamped when the config naming them is applied:
   * they count toward the monthly cap and show in the usage report for 30 simulated days.
   */
  priorMonthlySpend: z.partialRecord(simModelSchema, z.number().nonnegative()).default({}),
  /** How long a task that holds a slot stays PENDING before RUNNING. */
  pendingSeconds: seconds.default(2),
  generationSeconds: durationDistributionSchema.default({ kind: 'lognormal', median: 45, sigma: 0.3 }),
  /** Tasks still PENDING/THROTTLED this long after creation FAIL; null disables. */
  queueFailAfterSeconds: z.number().positive().nullable().default(1800),
  urlTtlSeconds: z.number().positive().default(86_400),
  mediaCacheDir: z.string().min(1).default(DEFAULT_MEDIA_CACHE_DIR),
  /** Pad every output to this many bytes with an MP4 `free` box (for archive benchmarks). */
  outputBytes: z
    .number()
    .int()
    .positive()
    .max(8 * 1024 ** 3)
    .optional(),
  faults: faultsSchema.prefault({}),
});
export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;

export function parseConfig(input: unknown): SimulatorConfig {
  return simulatorConfigSchema.parse(input ?? {});
}

/**
 * Merge a partial config over a base: plain objects merge key by key; arrays, scalars and objects that
 * carry a `kind` discriminant (distributions) replace the base value whole.
 */
export function mergeConfig(base: unknown, partial: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(partial) || 'kind' in partial) return partial;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(partial)) {
    merged[key] = value === undefined ? base[key] : mergeConfig(base[key], value);
  }
  return merged;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type SimModelId = z.infer<typeof simModelSchema>;

/** maxConcurrentGenerations of a model; null = no limit. A per-model null overrides the global value. */
export function concurrencyFor(config: SimulatorConfig, model: SimModelId): number | null {
  const own = config.concurrencyByModel[model];
  return own !== undefined ? own : config.concurrency;
}

/** maxDailyGenerations of a model; null = no limit. A per-model null overrides the global value. */
export function dailyLimitFor(config: SimulatorConfig, model: SimModelId): number | null {
  const own = config.maxDailyGenerationsByModel[model];
  return own !== undefined ? own : config.maxDailyGenerations;
}
