import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TemporalFailure,
  TimeoutFailure,
  isCancellation,
} from '@temporalio/workflow';
import type { classifyFailureCode, GenerateOutcome, GenerationFailureBilling, GenerationOptions, SubmissionRecord } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { UNKNOWN_FAILURE_RESUBMISSIONS } from '../../schemas/failure-codes';
import { generationScheduleToCloseMs } from '../activity-stubs';
import { totalCredits } from './credit-line';
import type { RemoteTaskTracker } from './remote-task-tracker';

/**
 * How a generation's failures become typed workflow failures (schemas/failures.ts): Runway's failure codes
 * by class, the generation activity's failures once Temporal stops retrying it, and Runway's bill carried
 * in the failure's first detail so the workload's credit book can count it.
 */

export type Success = Extract<GenerateOutcome, { kind: 'succeeded' }>;

/**
 * The failure as thrown, with what Runway billed for this generation in its first detail: SAFETY refusals
 * and failed retries are charged, and the workload's credit book reads them from here.
 */
export function withBilling(error: unknown, submissions: SubmissionRecord[]): unknown {
  const billing: GenerationFailureBilling = { credits: totalCredits(submissions), submissionHistory: [...submissions] };
  // Any other Temporal failure (an activity's timeout, say) ends the generation too, and Runway's bill must
  // still reach the parent: typed as Unexpected, naming what it was. A plain Error is a bug in workflow
  // code and stays one (its workflow task fails and can be replayed once fixed).
  if (error instanceof TemporalFailure && !(error instanceof ApplicationFailure)) {
    const cause = error.cause instanceof Error ? `: ${error.cause.name}: ${error.cause.message}` : '';
    return ApplicationFailure.create({
      type: FailureType.Unexpected,
      message: `${error.name}: ${error.message}${cause}`,
      nonRetryable: true,
      details: [billing],
    });
  }
  if (!(error instanceof ApplicationFailure)) return error;
  const [first, ...rest] = error.details ?? [];
  const merged =
    first !== null && typeof first === 'object' && !Array.isArray(first) ? { ...(first as Record<string, unknown>), ...billing } : billing;
  return ApplicationFailure.create({
    type: error.type ?? undefined,
    message: error.message,
    nonRetryable: error.nonRetryable ?? undefined,
    details: [merged, ...(first !== undefined && merged === billing ? [first] : []), ...rest],
  });
}

/**
 * A FAILED task that ends the generation, by its failure code's class (schemas/runway.ts classifyFailureCode),
 * or undefined when it is worth another submission.
 */
export function finalFailure(
  failureClass: ReturnType<typeof classifyFailureCode>,
  outcome: Extract<GenerateOutcome, { kind: 'failed' }>,
  unknownFailures: number,
): ApplicationFailure | undefined {
  const details = [{ failureCode: outcome.failureCode, failureClass, runwayTaskId: outcome.taskId }];
  const code = outcome.failureCode ?? 'no failureCode';
  switch (failureClass) {
    case 'moderation':
      return ApplicationFailure.create({
        type: FailureType.ContentModeration,
        nonRetryable: true,
        message: `Runway refused the content (${code}): ${outcome.failure}`,
        details,
      });
    case 'input':
      return ApplicationFailure.create({
        type: FailureType.RunwayInputRejected,
        nonRetryable: true,
        message: `Runway rejected the input (${code}), not resubmitted: ${outcome.failure}`,
        details,
      });
    case 'unknown':
      if (unknownFailures <= UNKNOWN_FAILURE_RESUBMISSIONS) return undefined;
      return ApplicationFailure.create({
        type: FailureType.GenerationFailed,
        nonRetryable: true,
        message: `Runway failed the task with an unknown failure code (${code}) ${unknownFailures} times; gave up: ${outcome.failure}`,
        details,
      });
    case 'bad_output':
      return undefined;
  }
}

/**
 * The generation activity's failures as typed workflow failures. When Temporal stops retrying it (the
 * schedule-to-close bound passed, or the attempts ran out) the problem is permanent for this generation: DELETE
 * the remote task an attempt had opened, so it stops holding its lease and costing, and say it gave up and why.
 */
export async function generationTyped<T>(
  submission: number,
  options: GenerationOptions,
  tracker: RemoteTaskTracker,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ActivityFailure) tracker.adoptOpenTask(heartbeatTaskId(error.cause));
    if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
    await tracker.deleteOpenTask();
    const cause = error.cause;
    const gaveUp = cause instanceof TimeoutFailure || error.retryState === 'TIMEOUT' || error.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
    if (!gaveUp && cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({
        type: cause.type ?? FailureType.Unexpected,
        message: cause.message,
        nonRetryable: true,
        details: cause.details ?? [],
      });
    }
    const boundS = Math.round(generationScheduleToCloseMs(options) / 1000);
    // A bound that cut an attempt short says only "timeout": the attempt's last heartbeat says why it was still trying.
    const lastError = cause instanceof TimeoutFailure ? lastPollError(cause.lastHeartbeatDetails) : undefined;
    const timeoutWhy = cause instanceof TimeoutFailure ? `${cause.timeoutType ?? 'activity'} timeout` : undefined;
    const why = timeoutWhy ? (lastError ? `${timeoutWhy}; last: ${lastError.message}` : timeoutWhy) : (cause?.message ?? error.message);
    const type = cause instanceof ApplicationFailure && cause.type ? cause.type : (lastError?.type ?? FailureType.GenerationFailed);
    throw ApplicationFailure.create({
      type,
      nonRetryable: true,
      message: `gave up on submission ${submission} after its ${boundS} s bound (${error.retryState ?? 'no retry state'}): ${why}`,
      details: [
        {
          submission,
          retryState: error.retryState,
          boundMs: generationScheduleToCloseMs(options),
          ...(cause instanceof ApplicationFailure ? { lastFailureType: cause.type } : {}),
        },
      ],
    });
  }
}

/** The Runway task an attempt that timed out or was cancelled had recorded in its last heartbeat. */
function heartbeatTaskId(cause: Error | undefined): string | undefined {
  const details =
    cause instanceof TimeoutFailure ? cause.lastHeartbeatDetails : cause instanceof CancelledFailure ? cause.details[0] : undefined;
  const taskId = (details as { taskId?: unknown } | undefined)?.taskId;
  return typeof taskId === 'string' ? taskId : undefined;
}

/** The failure a generation attempt recorded in its heartbeat while its polls kept failing. */
function lastPollError(details: unknown): { type: string; message: string } | undefined {
  const lastError = (details as { lastError?: { type?: unknown; message?: unknown } } | undefined)?.lastError;
  if (typeof lastError?.type !== 'string' || typeof lastError.message !== 'string') return undefined;
  return { type: lastError.type, message: lastError.message };
}

export function describeOutcome(outcome: Exclude<GenerateOutcome, Success>): string {
  switch (outcome.kind) {
    case 'failed':
      return `FAILED ${outcome.failureCode ?? ''} ${outcome.failure}`.trim();
    case 'queue_timeout':
      return `queued ${Math.round(outcome.waitedMs / 1000)} s, cancelled`;
    case 'running_timeout':
      return `running ${Math.round(outcome.waitedMs / 1000)} s, cancelled`;
    default:
      return `task ${outcome.kind}`;
  }
}

/** Activity failures surface as the workflow's own typed, non-retryable failure. */
export async function rethrowTyped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
      const cause = error.cause;
      throw ApplicationFailure.create({
        type: cause.type ?? FailureType.Unexpected,
        message: cause.message,
        nonRetryable: true,
        details: cause.details ?? [],
      });
    }
    throw error;
  }
}
