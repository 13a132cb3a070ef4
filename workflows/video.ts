import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  TemporalFailure,
  TimeoutFailure,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  FailureType,
  UNKNOWN_FAILURE_RESUBMISSIONS,
  classifyFailureCode,
  generationKind,
  needsUpload,
  requestCredits,
  videoWorkflowInputSchema,
  type GenerationOptions,
  type SubmissionRecord,
  type VideoFailureBilling,
  type VideoResult,
  type VideoProgress,
  type VideoWorkflowInput,
  withArchive,
} from '../schemas';
import type { GenerateOutcome } from '../activities';
import { CreditLine, totalCredits } from './credit-line';
import { GenerationLease } from './generation-lease';
import { RemoteTaskTracker } from './remote-task-tracker';
import { PromptImageUploads } from './image-uploads';
import {
  archiveActivities,
  generationActivities,
  generationScheduleToCloseMs,
  GENERATION_TASK_QUEUE_SUFFIX,
  prescreenActivities,
  workspaceCheckActivities,
} from './activity-stubs';
import { creditDecisionSignal, runwayTaskUpdateSignal, variantEndSignal, videoProgressQuery, type VariantEnd } from './messages';

/**
 * One Runway generation task — a video (image_to_video / text_to_video) or speech (text_to_speech), by the
 * request's kind: pre-screen → submit and poll on the capped generation queue → resubmit on a stuck queue
 * or a retryable failure → archive to S3 at once → a typed result. Every kind shares the lease cap, the
 * failure classes, the credit ledger and the archive; only the request body and the output type differ.
 */
export async function VideoGenerationWorkflow(rawInput: VideoWorkflowInput): Promise<VideoResult> {
  const input = videoWorkflowInputSchema.parse(rawInput);
  const status: VideoProgress = { videoId: input.videoId, state: 'prescreening', submissions: [] };
  const tracker = new RemoteTaskTracker(status, input.variantId);
  const credits = new CreditLine(input.budgeted, input.budgetCredits, status.submissions);
  setHandler(videoProgressQuery, () => status);
  setHandler(runwayTaskUpdateSignal, (update) => tracker.onUpdate(update));
  setHandler(creditDecisionSignal, (decision) => credits.onDecision(decision));
  const startedAt = Date.now();
  // The campaign shows a variant as 'waiting' until told otherwise: a pre-screen of a moment is not
  // worth a signal (two history events here, a workflow task on both sides).
  tracker.setState('prescreening', { notifyParent: false, searchAttribute: false });
  try {
    await rethrowTyped(() =>
      prescreenActivities().prescreenPrompt.executeWithOptions({ summary: `pre-screen ${input.variantId}'s prompt` }, [
        { videoId: input.videoId, promptText: input.request.promptText },
      ]),
    );
    // A video started on its own checks the workspace first; a parent (campaign, B-roll, explainer) already has, for all its videos.
    if (workflowInfo().parent === undefined) {
      await rethrowTyped(() =>
        workspaceCheckActivities().checkWorkspace.executeWithOptions({ summary: `check the Runway workspace for ${input.videoId}` }, [
          { workload: `video ${input.videoId}`, models: [input.request.model], estimatedCredits: requestCredits(input.request) },
        ]),
      );
    }
    // A video started on its own uploads its prompt image itself; a parent's children already carry the URI.
    const ready =
      input.request.kind !== 'speech' && needsUpload(input.request.promptImage)
        ? { ...input, request: await rethrowTyped(() => new PromptImageUploads().withUpload(input.request)) }
        : input;
    const success = await generateWithResubmission(ready, tracker, credits);
    const generatedAt = Date.now();
    // The archive activity shows the parent 'archiving' if it lasts: each signal a workflow sends costs it
    // five history events (initiated, signaled, and the workflow task that learns so), one an activity sends none.
    tracker.setState('archiving', { notifyParent: false });
    const timings = {
      startedAt: new Date(startedAt).toISOString(),
      submittedAt: new Date(success.submittedAt).toISOString(),
      generatedAt: new Date(generatedAt).toISOString(),
      generationMs: generatedAt - startedAt,
    };
    const made: Omit<VideoResult, 's3'> = {
      videoId: input.videoId,
      campaignId: input.campaignId,
      variantId: input.variantId,
      model: input.request.model,
      runwayTaskId: success.taskId,
      submissions: status.submissions.length,
      submissionHistory: status.submissions,
      credits: totalCredits(status.submissions),
      fingerprint: input.fingerprint,
      timings: { ...timings, archivedAt: timings.generatedAt, archiveMs: 0 },
    };
    // For the same reason the archive activity tells the parent how this video ended, once it is in S3.
    const parent = workflowInfo().parent;
    const endReport =
      input.reportEnd && parent ? { parentWorkflowId: parent.workflowId, workflowId: workflowInfo().workflowId, result: made } : undefined;
    const s3 = await rethrowTyped(() =>
      archiveActivities().archiveVideo.executeWithOptions({ summary: `archive ${input.variantId} (task ${success.taskId}) to S3` }, [
        {
          videoId: input.videoId,
          campaignId: input.campaignId,
          variantId: input.variantId,
          runwayTaskId: success.taskId,
          kind: generationKind(input.request),
          model: input.request.model,
          promptText: input.request.promptText,
          credits: made.credits,
          bucket: input.archive.bucket,
          prefix: input.archive.prefix,
          ...(endReport ? { reportEnd: endReport } : {}),
          ...(parent ? { parent: { workflowId: parent.workflowId, variantId: input.variantId, submissions: made.submissions } } : {}),
        },
      ]),
    );
    tracker.setState('archived', { notifyParent: false });
    const result = withArchive(made, s3, {
      ...timings,
      archivedAt: new Date(Date.now()).toISOString(),
      archiveMs: Date.now() - generatedAt,
    });
    return result;
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(async () => {
        await tracker.cancelRemoteTask();
        tracker.setState('cancelled', { notifyParent: false });
        await reportEnd(input, { state: 'cancelled', credits: totalCredits(status.submissions) });
      });
    } else {
      tracker.setState('failed', { notifyParent: false });
      const failure = withBilling(error, status.submissions);
      if (failure instanceof ApplicationFailure) {
        const details = (failure.details?.[0] ?? {}) as { failureCode?: string };
        await reportEnd(input, {
          state: 'failed',
          error: {
            type: failure.type ?? FailureType.Unexpected,
            message: failure.message,
            ...(details.failureCode ? { failureCode: details.failureCode } : {}),
          },
          credits: totalCredits(status.submissions),
        });
      }
      throw failure;
    }
    throw error;
  }
}

/**
 * A campaign's child tells its parent how it ended, by workflow id: the parent may have continued as new
 * since it started this child, and the signal reaches whichever run is current. A parent already closed
 * (cancelled) has nothing to learn.
 */
async function reportEnd(
  input: { reportEnd?: boolean | undefined; variantId: string; videoId: string },
  end: Omit<VariantEnd, 'variantId' | 'workflowId'>,
) {
  const parent = workflowInfo().parent;
  if (!input.reportEnd || !parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(variantEndSignal, {
      variantId: input.variantId,
      workflowId: workflowInfo().workflowId,
      ...end,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
  }
}

/**
 * The failure as thrown, with what Runway billed for this video in its first detail: SAFETY refusals and
 * failed retries are charged, and the campaign's ledger reads them from here.
 */
function withBilling(error: unknown, submissions: SubmissionRecord[]): unknown {
  const billing: VideoFailureBilling = { credits: totalCredits(submissions), submissionHistory: [...submissions] };
  // Any other Temporal failure (an activity's timeout, say) ends the video too, and Runway's bill must
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

type Success = Extract<GenerateOutcome, { kind: 'succeeded' }>;

async function generateWithResubmission(
  input: ReturnType<typeof videoWorkflowInputSchema.parse>,
  tracker: RemoteTaskTracker,
  credits: CreditLine,
): Promise<Success> {
  const generation = generationActivities(generationQueue(), input.options);
  // The activity that sees the remote task's state tells the parent itself: a signal the workflow sends costs
  // it five history events, one the activity sends costs it none.
  const parent = workflowInfo().parent;
  const parentRef = parent ? { parent: { workflowId: parent.workflowId, variantId: input.variantId } } : {};
  const slot = new GenerationLease(() => tracker.setState('quota-wait'));
  const estimate = requestCredits(input.request);
  let lastReason = 'no submission made';
  let lastOutcome: string | undefined;
  let unknownFailures = 0;
  for (let submission = 1; submission <= input.options.maxSubmissions; submission++) {
    await credits.request(input, submission, estimate);
    tracker.setState('waiting', { notifyParent: submission > 1 });
    const outcome = await slot.hold(
      submission,
      input.options,
      { model: input.request.model, credits: estimate },
      (lease) => {
        tracker.beginSubmission(submission);
        return generationTyped(submission, input.options, tracker, () =>
          generation.generateVideo.executeWithOptions(
            { summary: `${input.request.model} submission ${submission} of ${input.variantId}: submit and poll` },
            [
              {
                videoId: input.videoId,
                submission,
                request: input.request,
                ...pollOptions(input.options),
                lease,
                ...parentRef,
                ...(lastOutcome ? { resubmitReason: lastOutcome } : {}),
              },
            ],
          ),
        );
      },
      (result) => result.leaseReleased === true,
    );
    tracker.endSubmission(outcome);
    if (outcome.kind === 'succeeded') return outcome;
    if (outcome.kind === 'failed') {
      const failureClass = classifyFailureCode(outcome.failureCode);
      if (failureClass === 'unknown') unknownFailures += 1;
      const final = finalFailure(failureClass, outcome, unknownFailures);
      if (final) throw final;
    }
    lastReason = describeOutcome(outcome);
    lastOutcome = outcome.kind === 'failed' ? (outcome.failureCode ?? 'failed') : outcome.kind;
  }
  throw ApplicationFailure.create({
    type: FailureType.GenerationFailed,
    nonRetryable: true,
    message: `gave up after ${input.options.maxSubmissions} submissions; last: ${lastReason}`,
    details: [{ submissions: tracker.submissions() }],
  });
}

/**
 * A FAILED task that ends the video, by its failure code's class (schemas/runway.ts classifyFailureCode),
 * or undefined when it is worth another submission.
 */
function finalFailure(
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
 * schedule-to-close bound passed, or the attempts ran out) the problem is permanent for this video: DELETE
 * the remote task an attempt had opened, so it stops holding its lease and costing, and say it gave up and why.
 */
async function generationTyped<T>(
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

function describeOutcome(outcome: Exclude<GenerateOutcome, Success>): string {
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

function pollOptions(options: GenerationOptions) {
  return {
    pollIntervalMs: options.pollIntervalMs,
    pollJitter: options.pollJitter,
    maxPendingWaitMs: options.maxPendingWaitMs,
    maxRunningWaitMs: options.maxRunningWaitMs,
  };
}

/** The generation queue of this deployment: the workflow's own queue plus a suffix. */
function generationQueue(): string {
  return `${workflowInfo().taskQueue}${GENERATION_TASK_QUEUE_SUFFIX}`;
}

/** Activity failures surface as the workflow's own typed, non-retryable failure. */
async function rethrowTyped<T>(call: () => Promise<T>): Promise<T> {
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
