import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DefaultQueueActivities, GenerationActivities } from '../activities';
import type { GenerationOptions } from '../schemas';
import { FailureType, NON_RETRYABLE_RUNWAY_TYPES } from '../schemas/failures';
import { WEBHOOK_DELIVERY_TIMING } from '../schemas/webhook-delivery';

export { GENERATION_TASK_QUEUE_SUFFIX } from '../schemas/task-queues';

/**
 * Short activities heartbeat on a timer (activities/keep-alive.ts): with a heartbeat timeout of seconds,
 * an attempt lost with a SIGKILLed worker is retried that fast, not after its whole start-to-close timeout.
 */
const KEEP_ALIVE_HEARTBEAT_TIMEOUT = '10 seconds';

/**
 * The pre-screen is a local activity: a moment's check recorded as one marker, instead of three activity
 * events and a workflow task of its own (history per video is a benchmark target). A slow external
 * moderator still fits: the SDK heartbeats the workflow task while it runs.
 */
export function prescreenActivities() {
  return proxyLocalActivities<DefaultQueueActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.PromptRejected] },
  });
}

/** Archive: retried until it lands (S3 may be down a while), well inside the 24 h URL validity. */
export function archiveActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: KEEP_ALIVE_HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: '12 hours',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      nonRetryableErrorTypes: [FailureType.TaskNotSucceeded, ...NON_RETRYABLE_RUNWAY_TYPES],
    },
  });
}

/**
 * The explainer's ffmpeg assembly: it heartbeats every few seconds, so an attempt lost with its worker is
 * retried within the heartbeat timeout (the retry finds or redoes the work: the MP4 is its commit point).
 * Bounded like the archive: a broken input or a missing ffmpeg fails the explainer instead of retrying forever.
 */
export function assemblyActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: KEEP_ALIVE_HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: '6 hours',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: 10,
      nonRetryableErrorTypes: [FailureType.MediaToolMissing, FailureType.AssemblyConflict],
    },
  });
}

/**
 * One signal-with-start RPC: a local activity (one marker event, no workflow task of its own). A repeat
 * after a crash is harmless: the pool treats a known lease id as the same request. Bounded: a pool that
 * cannot be reached for half an hour fails the generation instead of waiting forever.
 */
export function leaseRequestActivities() {
  return proxyLocalActivities<DefaultQueueActivities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '30 minutes',
    retry: { initialInterval: '1s', maximumInterval: '30s' },
  });
}

/**
 * The pool's notices to requesters, one marker per workflow task. Retried briefly; past that the pool keeps
 * them and tries again shortly (a requester must never miss its grant).
 */
export function leaseNoticeActivities() {
  return proxyLocalActivities<DefaultQueueActivities>({
    startToCloseTimeout: '20s',
    retry: { initialInterval: '200ms', maximumInterval: '5s', maximumAttempts: 5 },
  });
}

/** The pool's check on expired leases' holders. A failure here is no answer: the leases stay and are asked about again. */
export function leaseHolderActivities() {
  return proxyLocalActivities<DefaultQueueActivities>({
    startToCloseTimeout: '20s',
    retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3 },
  });
}

/**
 * The lease pool's read of the workspace's limits: one marker per read. A failure is no answer: the last
 * limits stay and the pool reads again soon.
 */
export function workspaceLimitActivities() {
  return proxyLocalActivities<DefaultQueueActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_RUNWAY_TYPES },
  });
}

/**
 * A workload's check of the workspace before its first POST (models, credits). A regular activity, not a
 * local one: while Runway is down, its last failure (an open circuit, a 5xx) is what the Web UI shows as the
 * workload's pending activity. Bounded: a Runway that cannot be reached for half an hour fails the workload
 * before it spends anything.
 */
export function workspaceCheckActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '30 minutes',
    retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE_RUNWAY_TYPES },
  });
}

/**
 * What the generation core asks about a workload's children: the earlier run previousGenerationResult
 * waits for is itself bounded (generation, archive), so its bound only stops a wait on a run that never
 * ends; closedChildren asks Temporal which reporting children closed without a word.
 */
export function childActivities() {
  const { previousGenerationResult } = proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '24 hours',
    scheduleToCloseTimeout: '48 hours',
    heartbeatTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 },
  });
  const { closedChildren } = proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
  });
  return { previousGenerationResult, closedChildren };
}

/** A workload's manifest parts and index: bounded like the archive (S3 may be down a while, but a workload must end). */
export function manifestActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '12 hours',
    retry: { initialInterval: '1s', maximumInterval: '30s' },
  });
}

/** The campaign's own activity: a page of its variants, bounded like the manifest; a part that changed fails the campaign. */
export function campaignActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '12 hours',
    retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: [FailureType.CampaignInputChanged] },
  });
}

/**
 * Uploading a prompt image to Runway (up to 200 MB, streamed from S3 or its URL): minutes at most per
 * attempt, retried through Runway or S3 trouble, bounded so a workload waiting for it always ends.
 */
export function promptImageActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '15 minutes',
    scheduleToCloseTimeout: '2 hours',
    retry: {
      initialInterval: '1s',
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: [...NON_RETRYABLE_RUNWAY_TYPES, FailureType.PromptImageUnavailable],
    },
  });
}

/** The review room's: a rejected round's (or a redone voiceover's) new fingerprint, as a local activity (a moment's hash). */
export function reviewActivities() {
  return proxyLocalActivities<DefaultQueueActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1s', maximumAttempts: 5 },
  });
}

/**
 * A B-roll project's own activities: the edit list bounded like the manifest, and the contact sheet (it
 * downloads a frame's worth of every take and runs ffmpeg: it heartbeats, and a missing ffmpeg is not
 * retried).
 */
export function brollActivities() {
  const { writeEditList } = proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '12 hours',
    retry: { initialInterval: '1s', maximumInterval: '30s' },
  });
  const { writeContactSheet } = proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: KEEP_ALIVE_HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: '1 hour',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.MediaToolMissing] },
  });
  return { writeEditList, writeContactSheet };
}

export function cleanupActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20, nonRetryableErrorTypes: NON_RETRYABLE_RUNWAY_TYPES },
  });
}

/** The least time the generation bound allows beyond the waits: submit, retries of a refused POST, a worker restart. */
export const GENERATION_MARGIN_FLOOR_MS = 30_000;

/**
 * How long one submission's generation activity may take, all its attempts together: a task may queue for
 * maxPendingWait and then run for maxRunningWait before the activity itself gives it up, plus a margin
 * that grows with those waits (a fifth of them: 10 min at the 20 + 30 min defaults) and with the poll
 * interval, never below GENERATION_MARGIN_FLOOR_MS. Past it Temporal stops retrying and the workflow
 * turns the timeout into a typed failure: a permanent problem ends, it never retries forever.
 */
export function generationScheduleToCloseMs(
  options: Pick<GenerationOptions, 'maxPendingWaitMs' | 'maxRunningWaitMs' | 'pollIntervalMs'>,
): number {
  const waits = options.maxPendingWaitMs + options.maxRunningWaitMs;
  const margin = Math.max(GENERATION_MARGIN_FLOOR_MS, 10 * options.pollIntervalMs, Math.round(waits / 5));
  return waits + margin;
}

/**
 * The generation activity lives on its own task queue, whose worker runs at most the Runway cap of
 * them at once. Heartbeats carry the task id, so a retry after a crash resumes the same remote task.
 */
export function generationActivities(taskQueue: string, options: GenerationOptions) {
  const heartbeatMs = Math.min(60_000, Math.max(5_000, options.pollIntervalMs * 4));
  const boundMs = generationScheduleToCloseMs(options);
  return proxyActivities<GenerationActivities>({
    taskQueue,
    startToCloseTimeout: boundMs,
    scheduleToCloseTimeout: boundMs,
    heartbeatTimeout: heartbeatMs,
    cancellationType: 'WAIT_CANCELLATION_COMPLETED',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: [...NON_RETRYABLE_RUNWAY_TYPES, FailureType.PromptImageUnavailable],
    },
  });
}

/**
 * A webhook delivery: each attempt bounded, retried with backoff for 24 h (schemas/webhook.ts), then given
 * up on. A URL the fetch guard refuses or a worker without a signing secret is not retried.
 */
export function webhookActivities() {
  return proxyActivities<DefaultQueueActivities>({
    startToCloseTimeout: WEBHOOK_DELIVERY_TIMING.startToCloseTimeout,
    scheduleToCloseTimeout: WEBHOOK_DELIVERY_TIMING.scheduleToCloseTimeout,
    retry: {
      ...WEBHOOK_DELIVERY_TIMING.retry,
      nonRetryableErrorTypes: [FailureType.FetchRefused, FailureType.WebhookNotConfigured],
    },
  });
}
