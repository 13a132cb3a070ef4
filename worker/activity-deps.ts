import { Runtime } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { TermListModerator, DEFAULT_BLOCKED_TERMS } from '../activities/moderation';
import { OpenAiModerator } from '../activities/moderation-provider';
import { CircuitBreaker, logCircuitChanges } from '../activities/runway/circuit-breaker';
import { RunwayClient } from '../activities/runway/client';
import type { WorkerEnv } from '../schemas/env';
import { temporalAppMetrics } from './app-metrics';
import { createS3Client, s3TargetFromEnv } from '../infra/s3';
import { createSafeFetch } from '../infra/safe-fetch';

/** Build the activities' dependencies from the worker's configuration. */
export function activityDepsFromEnv(env: WorkerEnv): ActivityDeps {
  const terms = env.MODERATION_TERMS ? env.MODERATION_TERMS.split(',') : DEFAULT_BLOCKED_TERMS;
  const breaker = new CircuitBreaker({
    failureThreshold: env.RUNWAY_BREAKER_FAILURES,
    cooldownMs: env.RUNWAY_BREAKER_COOLDOWN_MS,
    onStateChange: logCircuitChanges(Runtime.instance().logger),
  });
  return {
    runway: new RunwayClient({
      baseUrl: env.RUNWAYML_BASE_URL,
      apiSecret: env.RUNWAYML_API_SECRET,
      requestTimeoutMs: env.RUNWAY_REQUEST_TIMEOUT_MS,
      guard: breaker.guard,
    }),
    s3: createS3Client(s3TargetFromEnv(env)),
    moderator: new TermListModerator(terms),
    ...moderationProviderFromEnv(env),
    ...(env.WEBHOOK_SECRET ? { webhookSecret: env.WEBHOOK_SECRET } : {}),
    metrics: temporalAppMetrics(Runtime.instance().metricMeter),
    ...(env.RUNWAY_MAX_CONCURRENCY !== undefined ? { concurrencyCeiling: env.RUNWAY_MAX_CONCURRENCY } : {}),
    limitsRefreshMs: env.RUNWAY_LIMITS_REFRESH,
    pollFloorMs: env.RUNWAY_POLL_FLOOR,
    priorityAgingMs: env.RUNWAY_PRIORITY_AGING,
    uploadReuseMs: env.RUNWAY_UPLOAD_REUSE_MS,
    safeFetch: createSafeFetch({ allowPrivate: env.RUNWAY_REHOST_ALLOW_PRIVATE }),
    submissionJournalS3: { bucket: env.S3_BUCKET, prefix: env.S3_PREFIX },
    ...(env.SUBMISSION_JOURNAL_DIR.trim() ? { submissionJournalDir: env.SUBMISSION_JOURNAL_DIR.trim() } : {}),
  };
}

/**
 * MODERATION_PROVIDER=openai: OpenAI's moderation endpoint (or the compatible one at MODERATION_BASE_URL)
 * after the term list, with MODERATION_ON_ERROR's policy; unset, the term list alone.
 */
function moderationProviderFromEnv(env: WorkerEnv): Pick<ActivityDeps, 'moderationProvider' | 'moderationOnError'> {
  if (env.MODERATION_PROVIDER !== 'openai') return {};
  if (!env.OPENAI_API_KEY)
    throw new Error("invalid configuration:\n  OPENAI_API_KEY: MODERATION_PROVIDER=openai needs the moderation endpoint's key");
  return {
    moderationProvider: new OpenAiModerator({
      apiKey: env.OPENAI_API_KEY,
      ...(env.MODERATION_BASE_URL ? { baseURL: env.MODERATION_BASE_URL } : {}),
      model: env.MODERATION_MODEL,
      timeoutMs: env.MODERATION_TIMEOUT_MS,
    }),
    moderationOnError: env.MODERATION_ON_ERROR,
  };
}
