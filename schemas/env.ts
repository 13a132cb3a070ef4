import { z } from 'zod';
import { durationMsSchema } from './duration';
import { keyPrefixSchema } from './ids';
import { moderationEnvSchema } from './moderation';
import { DEFAULT_POLL_FLOOR_MS } from './options';
import { DEFAULT_PRIORITY_AGING_MS } from './priority-classes';
import { RUNWAY_DEFAULT_BASE_URL } from './runway';
import { DEFAULT_UPLOAD_REUSE_MS } from './video-request';
import { webhookSecretSchema } from './webhook';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const addressRangeSchemas = [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()];

/**
 * Private-network destinations the worker may fetch from on a user's behalf, which it otherwise refuses:
 * `1` (or `true`) for any, or comma-separated addresses and CIDR ranges (`10.20.0.0/16,fd00:1::/48`) for
 * the hosts meant. Unset, empty, `0` or `false`: none.
 */
export const allowPrivateSchema = z.preprocess(
  (value) => {
    const text = typeof value === 'string' ? value.trim() : value;
    if (text === undefined || text === '' || text === '0' || text === 'false') return false;
    if (text === '1' || text === 'true') return true;
    return typeof text === 'string' ? text.split(',').map((entry) => entry.trim()) : text;
  },
  z.union([
    z.boolean(),
    z.array(
      z.string().refine((entry) => addressRangeSchemas.some((schema) => schema.safeParse(entry).success), {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not an address or CIDR range (10.20.0.0/16, fd00:1::/48); or set the whole value to 1`,
      }),
    ),
  ]),
);

/** A duration variable: "5s", "10m", or plain milliseconds; empty is unset. */
const durationEnv = (fallback: number) =>
  z.preprocess(
    (value) => (value === '' ? undefined : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    durationMsSchema.default(fallback),
  );

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Connection to Temporal, from the standard TEMPORAL_* variables (local dev server or Temporal Cloud). */
export const temporalEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS: z.enum(['true', 'false', '']).optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TASK_QUEUE: z.string().min(1).default('runway-videos'),
  /**
   * Payload encryption (AES-256-GCM) for everything Temporal stores: `<id>:<base64 of 32 bytes>` entries,
   * comma-separated, the first one encrypts and every one decrypts (rotation: put the new key first, keep
   * the old ones while histories written under them are kept). The worker and every client need the same
   * keys. Unset: payloads are stored as plain JSON. Generate a key with `openssl rand -base64 32`.
   */
  PAYLOAD_CODEC_KEYS: optionalText,
  /** Or the keys in a JSON file: `{ "primary": "<id>", "keys": { "<id>": "<base64>", … } }` (not both). */
  PAYLOAD_CODEC_KEY_FILE: optionalText,
});
export type TemporalEnv = z.infer<typeof temporalEnvSchema>;

/** Where archived videos go. Credentials come from the AWS SDK's standard chain (AWS_ACCESS_KEY_ID, …). */
export const s3EnvSchema = z.object({
  S3_ENDPOINT: optionalText,
  S3_BUCKET: z.string().min(3).default('runway-videos'),
  S3_PREFIX: keyPrefixSchema.default(''),
  AWS_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false', '']).optional(),
});
export type S3Env = z.infer<typeof s3EnvSchema>;

const emptyAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/**
 * Worker Versioning. With a deployment name the worker polls as one version of that Worker Deployment, and work
 * reaches it once the version is made current (`npm run deploy`); without one it is an unversioned worker
 * (development, tests).
 */
const workerDeploymentEnvShape = {
  TEMPORAL_WORKER_DEPLOYMENT_NAME: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .trim()
      .max(100)
      .regex(/^(?!__)[^.:]+$/, 'a deployment name has no "." or ":" and does not start with "__"')
      .optional(),
  ),
  /** This worker's version within the deployment; default: the package version and git commit (`0.1.0+1a2b3c4d5e6f`). */
  TEMPORAL_WORKER_BUILD_ID: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .trim()
      .max(100)
      .regex(/^(?!__)\S+$/, 'a build id has no spaces and does not start with "__"')
      .optional(),
  ),
};

export const workerEnvSchema = temporalEnvSchema.merge(s3EnvSchema).extend({
  RUNWAYML_BASE_URL: z.string().url().default(RUNWAY_DEFAULT_BASE_URL),
  RUNWAYML_API_SECRET: z
    .string({ message: 'RUNWAYML_API_SECRET is not set: export it, or run `npm run stack` to use the simulator' })
    .min(1, 'RUNWAYML_API_SECRET is empty'),
  /**
   * An optional ceiling under the workspace's own per-model caps (GET /v1/organization), e.g. to leave room
   * for another application on the same workspace. Unset: the workspace's caps as they are.
   */
  RUNWAY_MAX_CONCURRENCY: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().positive().optional()),
  /** How often the lease pool reads the workspace's limits again while it has work (a tier change lands within it). */
  RUNWAY_LIMITS_REFRESH: durationEnv(5 * 60_000),
  /** The least time between two polls of one Runway task ("5s", or ms): Runway's own floor unless a stand-in runs faster. */
  RUNWAY_POLL_FLOOR: durationEnv(DEFAULT_POLL_FLOOR_MS),
  /** How long a lease priority class may be shut out of a model before it goes ahead once (batch never starves). */
  RUNWAY_PRIORITY_AGING: durationEnv(DEFAULT_PRIORITY_AGING_MS),
  /** The per-process bound: generate activities this worker runs at once (default: the ceiling, else 20). */
  GENERATION_WORKER_SLOTS: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().positive().optional()),
  RUNWAY_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  /** Consecutive 5xx / network failures that open the Runway circuit breaker. */
  RUNWAY_BREAKER_FAILURES: positiveInt(5),
  /** How long an open circuit fails Runway calls fast before one probe, ms. */
  RUNWAY_BREAKER_COOLDOWN_MS: positiveInt(30_000),
  MODERATION_TERMS: optionalText,
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_SHUTDOWN_GRACE_MS: positiveInt(30_000),
  DEFAULT_QUEUE_CONCURRENCY: positiveInt(100),
  /** Journal of the Runway tasks this worker created (survives a restart while Temporal is down); '' turns it off. */
  SUBMISSION_JOURNAL_DIR: z.string().default('.data/submissions'),
  /** Age past which a prompt image's runway:// URI is uploaded again before a submission, ms (Runway keeps it about 24 h). */
  RUNWAY_UPLOAD_REUSE_MS: positiveInt(DEFAULT_UPLOAD_REUSE_MS),
  /** Private networks the worker may fetch user URLs from (re-hosted images, webhooks, photographs); none without. */
  RUNWAY_REHOST_ALLOW_PRIVATE: allowPrivateSchema,
  /** The Standard Webhooks secret deliveries are signed with (`whsec_…`); workloads naming a webhook need it. */
  WEBHOOK_SECRET: webhookSecretSchema,
  ...moderationEnvSchema.shape,
  ...workerDeploymentEnvShape,
});
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

/**
 * Which prompt writer plans B-roll and explainer prompts. `nlp` (default) is deterministic and local;
 * `llm` asks a language model on any OpenAI-compatible chat endpoint and falls back to `nlp` per prompt.
 */
export const promptWriterEnvSchema = z
  .object({
    PROMPT_WRITER: z.preprocess((value) => (value === '' ? undefined : value), z.enum(['nlp', 'llm']).default('nlp')),
    /** e.g. https://api.openai.com/v1, or a local server's http://127.0.0.1:11434/v1. */
    PROMPT_LLM_BASE_URL: optionalText.pipe(z.string().url().optional()),
    PROMPT_LLM_MODEL: optionalText,
    PROMPT_LLM_API_KEY: optionalText,
    PROMPT_LLM_TIMEOUT_MS: positiveInt(20_000),
    /** Retries of one prompt's request (429, 5xx, connection errors) before its fallback. */
    PROMPT_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  })
  .superRefine((env, ctx) => {
    if (env.PROMPT_WRITER !== 'llm') return;
    for (const name of ['PROMPT_LLM_BASE_URL', 'PROMPT_LLM_MODEL'] as const)
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is required when PROMPT_WRITER=llm` });
  });

/** Parse, and report every problem in one readable error. */
export function parseEnv<T extends z.ZodTypeAny>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new Error(`invalid configuration:\n${lines.join('\n')}`);
}
