import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  FailureType,
  UNKNOWN_FAILURE_RESUBMISSIONS,
  classifyFailureCode,
  creditsFor,
  videoWorkflowInputSchema,
  type GenerationOptions,
  type SubmissionRecord,
  type VideoState,
  type VideoFailureBilling,
  type VideoResult,
  type VideoProgress,
  type VideoWorkflowInput,
} from '../schemas';
import type { GenerateOutcome } from '../activities';
import { GenerationLease } from './generation-lease';
import { archiveActivities, cleanupActivities, generationActivities, generationScheduleToCloseMs, GENERATION_TASK_QUEUE_SUFFIX, prescreenActivities } from './activity-stubs';
import { creditDecisionSignal, creditRequestSignal, runwayTaskUpdateSignal, variantStateSignal, videoProgressQuery, type CreditDecision } from './messages';
import { RunwayTaskIdKey, VideoStateKey } from './search-attributes';

/**
 * One video: pre-screen → submit and poll on the capped generation queue → resubmit on a stuck queue or
 * a retryable failure → archive to S3 at once → a typed result.
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
    await rethrowTyped(() => prescreenActivities().prescreenPrompt.executeWithOptions({ summary: `pre-screen ${input.variantId}'s prompt` }, [{ videoId: input.videoId, promptText: input.request.promptText }]));
    const success = await generateWithResubmission(input, tracker, credits);
    const generatedAt = Date.now();
    tracker.setState('archiving');
    const s3 = await rethrowTyped(() =>
      archiveActivities().archiveVideo.executeWithOptions({ summary: `archive ${input.variantId} (task ${success.taskId}) to S3` }, [{
        videoId: input.videoId,
        campaignId: input.campaignId,
        variantId: input.variantId,
        runwayTaskId: success.taskId,
        model: input.request.model,
        promptText: input.request.promptText,
        credits: totalCredits(status.submissions),
        bucket: input.archive.bucket,
        prefix: input.archive.prefix,
      }]),
    );
    tracker.setState('archived', { notifyParent: false });
    return {
      videoId: input.videoId,
      campaignId: input.campaignId,
      variantId: input.variantId,
      model: input.request.model,
      s3,
      runwayTaskId: success.taskId,
      submissions: status.submissions.length,
      submissionHistory: status.submissions,
      credits: totalCredits(status.submissions),
      fingerprint: input.fingerprint,
      timings: {
        startedAt: new Date(startedAt).toISOString(),
        submittedAt: new Date(success.submittedAt).toISOString(),
        generatedAt: new Date(generatedAt).toISOString(),
        archivedAt: new Date(Date.now()).toISOString(),
        generationMs: generatedAt - startedAt,
        archiveMs: Date.now() - generatedAt,
      },
    };
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => tracker.cancelRemoteTask());
      tracker.setState('cancelled', { notifyParent: false });
    } else {
      tracker.setState('failed', { notifyParent: false });
      throw withBilling(error, status.submissions);
    }
    throw error;
  }
}

/**
 * The failure as thrown, with what Runway billed for this video in its first detail: SAFETY refusals and
 * failed retries are charged, and the campaign's ledger reads them from here.
 */
function withBilling(error: unknown, submissions: SubmissionRecord[]): unknown {
  if (!(error instanceof ApplicationFailure)) return error;
  const [first, ...rest] = error.details ?? [];
  const billing: VideoFailureBilling = { credits: totalCredits(submissions), submissionHistory: [...submissions] };
  const merged = first !== null && typeof first === 'object' && !Array.isArray(first) ? { ...(first as Record<string, unknown>), ...billing } : billing;
  return ApplicationFailure.create({ type: error.type ?? undefined, message: error.message, nonRetryable: error.nonRetryable ?? undefined, details: [merged, ...(first !== undefined && merged === billing ? [first] : []), ...rest] });
}

type Success = Extract<GenerateOutcome, { kind: 'succeeded' }>;

async function generateWithResubmission(input: ReturnType<typeof videoWorkflowInputSchema.parse>, tracker: RemoteTaskTracker, credits: CreditLine): Promise<Success> {
  const generation = generationActivities(generationQueue(), input.options);
  const slot = new GenerationLease();
  const estimate = creditsFor(input.request.model, input.request.duration);
  let lastReason = 'no submission made';
  let lastOutcome: string | undefined;
  let unknownFailures = 0;
  for (let submission = 1; submission <= input.options.maxSubmissions; submission++) {
    await credits.request(input, submission, estimate);
    tracker.setState('waiting', { notifyParent: submission > 1 });
    const outcome = await slot.hold(submission, input.options, (lease) => {
      tracker.beginSubmission(submission);
      return generationTyped(submission, input.options, tracker, () => generation.generateVideo.executeWithOptions({ summary: `${input.request.model} submission ${submission} of ${input.variantId}: submit and poll` }, [
        { videoId: input.videoId, submission, request: input.request, ...pollOptions(input.options), lease, ...(lastOutcome ? { resubmitReason: lastOutcome } : {}) },
      ]));
    });
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
function finalFailure(failureClass: ReturnType<typeof classifyFailureCode>, outcome: Extract<GenerateOutcome, { kind: 'failed' }>, unknownFailures: number): ApplicationFailure | undefined {
  const details = [{ failureCode: outcome.failureCode, failureClass, runwayTaskId: outcome.taskId }];
  const code = outcome.failureCode ?? 'no failureCode';
  switch (failureClass) {
    case 'moderation':
      return ApplicationFailure.create({ type: FailureType.ContentModeration, nonRetryable: true, message: `Runway refused the content (${code}): ${outcome.failure}`, details });
    case 'input':
      return ApplicationFailure.create({ type: FailureType.RunwayInputRejected, nonRetryable: true, message: `Runway rejected the input (${code}), not resubmitted: ${outcome.failure}`, details });
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
 * the remote task an attempt had opened, so it stops holding a slot and costing, and say it gave up and why.
 */
async function generationTyped<T>(submission: number, options: GenerationOptions, tracker: RemoteTaskTracker, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
    await tracker.deleteOpenTask();
    const cause = error.cause;
    const gaveUp = cause instanceof TimeoutFailure || error.retryState === 'TIMEOUT' || error.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
    if (!gaveUp && cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({ type: cause.type ?? FailureType.Unexpected, message: cause.message, nonRetryable: true, details: cause.details ?? [] });
    }
    const boundS = Math.round(generationScheduleToCloseMs(options) / 1000);
    const why = cause instanceof TimeoutFailure ? `${cause.timeoutType ?? 'activity'} timeout` : (cause?.message ?? error.message);
    const type = cause instanceof ApplicationFailure && cause.type ? cause.type : FailureType.GenerationFailed;
    throw ApplicationFailure.create({
      type,
      nonRetryable: true,
      message: `gave up on submission ${submission} after its ${boundS} s bound (${error.retryState ?? 'no retry state'}): ${why}`,
      details: [{ submission, retryState: error.retryState, boundMs: generationScheduleToCloseMs(options), ...(cause instanceof ApplicationFailure ? { lastFailureType: cause.type } : {}) }],
    });
  }
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

function totalCredits(submissions: SubmissionRecord[]): number {
  return submissions.reduce((sum, record) => sum + record.credits, 0);
}

/** Activity failures surface as the workflow's own typed, non-retryable failure. */
async function rethrowTyped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
      const cause = error.cause;
      throw ApplicationFailure.create({ type: cause.type ?? FailureType.Unexpected, message: cause.message, nonRetryable: true, details: cause.details ?? [] });
    }
    throw error;
  }
}

const RUNWAY_TO_STATE: Record<string, VideoState> = {
  SUBMITTED: 'queued',
  PENDING: 'queued',
  THROTTLED: 'queued',
  RUNNING: 'running',
};

const FINAL_RUNWAY_STATUS: Partial<Record<GenerateOutcome['kind'], string>> = {
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  cancelled_remotely: 'CANCELLED',
};

/** Remote task bookkeeping: search attributes, the parent's view, and cleanup on cancel. */
class RemoteTaskTracker {
  private currentSubmission = 0;
  /** VideoProgress as the Web UI sees it; the starter sets 'waiting'. */
  private shownState: VideoState = 'waiting';
  private openTaskId: string | undefined;

  constructor(
    private readonly status: VideoProgress,
    private readonly variantId: string,
  ) {}

  submissions(): number {
    return this.status.submissions.length;
  }

  beginSubmission(submission: number): void {
    this.currentSubmission = submission;
    // A moment before 'queued' or 'running': not worth an upsert (one history event each).
    this.setState('submitting', { notifyParent: false, searchAttribute: false });
  }

  onUpdate(update: { submission: number; taskId: string; status: string; progress?: number }): void {
    if (update.submission !== this.currentSubmission) return;
    this.status.runwayTaskStatus = update.status;
    if (update.progress !== undefined) this.status.progress = update.progress;
    const newTaskId = this.status.runwayTaskId !== update.taskId ? update.taskId : undefined;
    if (newTaskId !== undefined) {
      this.status.runwayTaskId = newTaskId;
      this.openTaskId = newTaskId;
    }
    const state = RUNWAY_TO_STATE[update.status];
    if (state && state !== this.status.state) this.setState(state, { runwayTaskId: newTaskId });
    else if (newTaskId !== undefined) upsertSearchAttributes([{ key: RunwayTaskIdKey, value: newTaskId }]);
  }

  endSubmission(outcome: GenerateOutcome): void {
    this.openTaskId = undefined;
    this.status.runwayTaskId = outcome.taskId;
    // The activity no longer signals terminal statuses: its result is the news.
    const finalStatus = FINAL_RUNWAY_STATUS[outcome.kind];
    if (finalStatus) this.status.runwayTaskStatus = finalStatus;
    this.status.submissions.push({
      taskId: outcome.taskId,
      outcome: outcome.kind,
      credits: outcome.credits,
      ...(outcome.kind === 'failed' && outcome.failureCode !== undefined ? { failureCode: outcome.failureCode } : {}),
    });
  }

  /**
   * One upsert per change, task id and state together (each call is a history event); none when the
   * visible status would not change: children start with VideoProgress 'waiting'.
   */
  setState(state: VideoState, { notifyParent = true, searchAttribute = true, runwayTaskId }: { notifyParent?: boolean; searchAttribute?: boolean; runwayTaskId?: string } = {}): void {
    this.status.state = state;
    const attributes = [
      ...(runwayTaskId !== undefined ? [{ key: RunwayTaskIdKey, value: runwayTaskId }] : []),
      ...(searchAttribute && state !== this.shownState ? [{ key: VideoStateKey, value: state }] : []),
    ];
    if (searchAttribute) this.shownState = state;
    if (attributes.length > 0) upsertSearchAttributes(attributes);
    const parent = workflowInfo().parent;
    if (notifyParent && parent) {
      void getExternalWorkflowHandle(parent.workflowId)
        .signal(variantStateSignal, {
          variantId: this.variantId,
          state,
          submissions: this.status.submissions.length,
          ...(this.status.runwayTaskId !== undefined ? { runwayTaskId: this.status.runwayTaskId } : {}),
        })
        .catch(() => undefined);
    }
  }

  /** On cancel: DELETE a remote task the activity may not have reached (e.g. between retries). */
  async cancelRemoteTask(): Promise<void> {
    if (this.openTaskId === undefined) return;
    await cleanupActivities().cancelRunwayTask.executeWithOptions({ summary: `DELETE Runway task ${this.openTaskId}` }, [this.openTaskId]);
  }

  /** After the generation activity failed for good: best-effort DELETE of the task it left open (a repeat is a no-op). */
  async deleteOpenTask(): Promise<void> {
    const taskId = this.openTaskId;
    if (taskId === undefined) return;
    this.openTaskId = undefined;
    try {
      await cleanupActivities().cancelRunwayTask.executeWithOptions({ summary: `DELETE Runway task ${taskId}, left open by a failed generation` }, [taskId]);
    } catch {
      // The cleanup activity retried and gave up: the video's failure matters more than this DELETE.
    }
  }
}

/**
 * Credits for resubmissions come from the campaign's budget, granted by the parent; a video without a
 * campaign keeps its own ledger against its budgetCredits, for every submission.
 */
class CreditLine {
  private decisions = new Map<number, CreditDecision>();

  constructor(
    private readonly budgeted: boolean,
    private readonly ownBudget: number | undefined,
    /** The video's submission records so far: what Runway has billed it. */
    private readonly submissions: SubmissionRecord[],
  ) {}

  onDecision(decision: CreditDecision): void {
    this.decisions.set(decision.submission, decision);
  }

  async request(input: ReturnType<typeof videoWorkflowInputSchema.parse>, submission: number, credits: number): Promise<void> {
    const parent = workflowInfo().parent;
    const billed = totalCredits(this.submissions);
    if (!parent) {
      if (this.ownBudget === undefined || billed + credits <= this.ownBudget) return;
      throw ApplicationFailure.create({
        type: FailureType.BudgetExceeded,
        nonRetryable: true,
        message: `submission ${submission} needs ${credits} credits; the video's budget of ${this.ownBudget} credits has ${this.ownBudget - billed} left (${billed} billed)`,
      });
    }
    // The campaign reserved the first submission before it started this child.
    if (!this.budgeted || submission === 1) return;
    await getExternalWorkflowHandle(parent.workflowId).signal(creditRequestSignal, {
      variantId: input.variantId,
      workflowId: workflowInfo().workflowId,
      submission,
      credits,
      billedCredits: billed,
    });
    await condition(() => this.decisions.has(submission));
    const decision = this.decisions.get(submission);
    if (!decision?.granted) {
      throw ApplicationFailure.create({
        type: FailureType.BudgetExceeded,
        nonRetryable: true,
        message: `resubmission ${submission} needs ${credits} credits; the campaign budget has ${decision?.remaining ?? 0} left`,
      });
    }
  }
}
