import {
  ApplicationFailure,
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  workflowInfo,
  setWorkflowOptions,
} from '@temporalio/workflow';
import type { GenerationOptions, GenerationProgress, GenerationResult, GenerationWorkflowInput } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { classifyFailureCode } from '../../schemas/failure-codes';
import { generationKind, needsUpload, requestCredits, withArchive } from '../../schemas/generation-values';
import { CreditLine, totalCredits } from './credit-line';
import { describeOutcome, finalFailure, generationTyped, rethrowTyped, withBilling, type Success } from './failures';
import { GenerationLease } from './lease';
import { RemoteTaskTracker } from './remote-task-tracker';
import { PromptImageUploads } from './image-uploads';
import {
  archiveActivities,
  generationActivities,
  GENERATION_TASK_QUEUE_SUFFIX,
  prescreenActivities,
  workspaceCheckActivities,
} from '../activity-stubs';
import {
  creditDecisionSignal,
  generationEndSignal,
  generationProgressQuery,
  runwayTaskUpdateSignal,
  type GenerationEnd,
} from '../messages';
import { DEFAULT_PRIORITY } from '../../schemas/priority-classes';
import { withWebhook } from '../delivery/announce';
import { versioned } from '../versioning';

// Pinned: a generation ends within its bound (the pending and running waits, then the archive) holding a lease and a
// Runway task; it finishes on the code that submitted them, as a pinned workload's children do anyway.
setWorkflowOptions(versioned('PINNED'), GenerationWorkflow);

/**
 * One Runway generation task — a video (image_to_video / text_to_video) or speech (text_to_speech), by the
 * request's kind: pre-screen → submit and poll on the capped generation queue → resubmit on a stuck queue
 * or a retryable failure → archive to S3 at once → a typed result. Every kind shares the lease cap, the
 * failure classes, the credit line and the archive; only the request body and the output type differ.
 */
export async function GenerationWorkflow(rawInput: GenerationWorkflowInput): Promise<GenerationResult> {
  // A generation on its own announces its end to its webhook; a workload's generation only when the workload asked for each.
  const webhook = rawInput.options.webhook;
  const announced = webhook && (workflowInfo().parent === undefined || webhook.generations === true) ? webhook : undefined;
  return withWebhook('generation', announced, () => runGeneration(rawInput));
}

/**
 * The input is used as given, not parsed: whoever starts a generation (the client, a workload) builds it from
 * input it has validated, and a generation reaches no zod (see workflows/workload-schemas.ts).
 */
async function runGeneration(input: GenerationWorkflowInput): Promise<GenerationResult> {
  const status: GenerationProgress = { generationId: input.generationId, state: 'prescreening', submissions: [] };
  const tracker = new RemoteTaskTracker(status, input.generationKey);
  const credits = new CreditLine(input.budgeted === true, input.budgetCredits, status.submissions);
  setHandler(generationProgressQuery, () => status);
  setHandler(runwayTaskUpdateSignal, (update) => tracker.onUpdate(update));
  setHandler(creditDecisionSignal, (decision) => credits.onDecision(decision));
  const lease = new GenerationLease(() => tracker.setState('quota-wait'), input.leaseRequested === true);
  const startedAt = Date.now();
  // The workload shows a generation as 'waiting' until told otherwise: a pre-screen of a moment is not
  // worth a signal (two history events here, a workflow task on both sides).
  tracker.setState('prescreening', { notifyParent: false, searchAttribute: false });
  try {
    const promptImage = input.request.kind === 'speech' ? undefined : input.request.promptImage;
    const screening = await rethrowTyped(() =>
      prescreenActivities().prescreenPrompt.executeWithOptions({ summary: `pre-screen ${input.generationKey}'s prompt` }, [
        { generationId: input.generationId, promptText: input.request.promptText, ...(promptImage ? { promptImages: [promptImage] } : {}) },
      ]),
    );
    status.moderation = screening.verdicts;
    // A generation started on its own checks the workspace first; a workload already has, for all its generations.
    if (workflowInfo().parent === undefined) {
      await rethrowTyped(() =>
        workspaceCheckActivities().checkWorkspace.executeWithOptions({ summary: `check the Runway workspace for ${input.generationId}` }, [
          { workload: `video ${input.generationId}`, models: [input.request.model], estimatedCredits: requestCredits(input.request) },
        ]),
      );
    }
    // A generation started on its own uploads its prompt image itself; a workload's children already carry the URI.
    const ready =
      input.request.kind !== 'speech' && needsUpload(input.request.promptImage)
        ? { ...input, request: await rethrowTyped(() => new PromptImageUploads().withUpload(input.request)) }
        : input;
    const success = await generateWithResubmission(ready, tracker, credits, lease);
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
    const made: Omit<GenerationResult, 's3'> = {
      generationId: input.generationId,
      workloadId: input.workloadId,
      generationKey: input.generationKey,
      model: input.request.model,
      runwayTaskId: success.taskId,
      submissions: status.submissions.length,
      submissionHistory: status.submissions,
      credits: totalCredits(status.submissions),
      estimatedCredits: requestCredits(input.request),
      fingerprint: input.fingerprint,
      moderation: screening.verdicts,
      timings: { ...timings, archivedAt: timings.generatedAt, archiveMs: 0 },
    };
    // For the same reason the archive activity tells the parent how this generation ended, once it is in S3.
    const parent = workflowInfo().parent;
    const endReport =
      input.reportEnd && parent ? { parentWorkflowId: parent.workflowId, workflowId: workflowInfo().workflowId, result: made } : undefined;
    const s3 = await rethrowTyped(() =>
      archiveActivities().archiveGeneration.executeWithOptions(
        { summary: `archive ${input.generationKey} (task ${success.taskId}) to S3` },
        [
          {
            generationId: input.generationId,
            workloadId: input.workloadId,
            generationKey: input.generationKey,
            runwayTaskId: success.taskId,
            ...(input.outputName !== undefined ? { outputName: input.outputName } : {}),
            kind: generationKind(input.request),
            model: input.request.model,
            promptText: input.request.promptText,
            credits: made.credits,
            bucket: input.archive.bucket,
            prefix: input.archive.prefix,
            ...(endReport ? { reportEnd: endReport } : {}),
            ...(parent
              ? { parent: { workflowId: parent.workflowId, generationKey: input.generationKey, submissions: made.submissions } }
              : {}),
          },
        ],
      ),
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
        await lease.releaseUnclaimed();
        await tracker.cancelRemoteTask();
        tracker.setState('cancelled', { notifyParent: false });
        await reportEnd(input, { state: 'cancelled', credits: totalCredits(status.submissions) });
      });
    } else {
      tracker.setState('failed', { notifyParent: false });
      await lease.releaseUnclaimed();
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
 * A reporting child (a campaign's) tells its parent how it ended, by workflow id: the parent may have continued as new
 * since it started this child, and the signal reaches whichever run is current. A parent already closed
 * (cancelled) has nothing to learn.
 */
async function reportEnd(
  input: { reportEnd?: boolean | undefined; generationKey: string },
  end: Omit<GenerationEnd, 'generationKey' | 'workflowId'>,
) {
  const parent = workflowInfo().parent;
  if (!input.reportEnd || !parent) return;
  try {
    await getExternalWorkflowHandle(parent.workflowId).signal(generationEndSignal, {
      generationKey: input.generationKey,
      workflowId: workflowInfo().workflowId,
      ...end,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
  }
}

async function generateWithResubmission(
  input: GenerationWorkflowInput,
  tracker: RemoteTaskTracker,
  credits: CreditLine,
  lease: GenerationLease,
): Promise<Success> {
  const generation = generationActivities(generationQueue(), input.options);
  // The activity that sees the remote task's state tells the parent itself: a signal the workflow sends costs
  // it five history events, one the activity sends costs it none.
  const parent = workflowInfo().parent;
  const parentRef = parent ? { parent: { workflowId: parent.workflowId, generationKey: input.generationKey } } : {};
  const estimate = requestCredits(input.request);
  let lastReason = 'no submission made';
  let lastOutcome: string | undefined;
  let unknownFailures = 0;
  for (let submission = 1; submission <= input.options.maxSubmissions; submission++) {
    await credits.request(input, submission, estimate);
    tracker.setState('waiting', { notifyParent: submission > 1 });
    const outcome = await lease.hold(
      submission,
      input.options,
      {
        model: input.request.model,
        credits: estimate,
        priority: input.options.priority ?? DEFAULT_PRIORITY.generation,
        // Fairness is between workloads: a workload's generations share one turn, a generation on its own is its own.
        workload: parent?.workflowId ?? workflowInfo().workflowId,
      },
      (held) => {
        tracker.beginSubmission(submission);
        return generationTyped(submission, input.options, tracker, () =>
          generation.generate.executeWithOptions(
            { summary: `${input.request.model} submission ${submission} of ${input.generationKey}: submit and poll` },
            [
              {
                generationId: input.generationId,
                submission,
                request: input.request,
                ...pollOptions(input.options),
                lease: held,
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
