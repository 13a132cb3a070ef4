import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  FailureType,
  brollWorkflowInputSchema,
  creditsFor,
  type BrollResult,
  type BrollWorkflowInput,
  type ProjectState,
} from '../schemas';
import { brollActivities } from './activity-stubs';
import { BrollProject, type SegmentSlot } from './broll-project';
import { billedByFailure, startAndAwait, variantError } from './campaign';
import { PromptImageUploads } from './image-uploads';
import { checkWorkspaceFirst } from './workspace-check';
import { CampaignLedger } from './campaign-ledger';
import { brollProgressQuery, creditRequestSignal, finalizeUpdate, reviewUpdate, variantStateSignal } from './messages';
import { ProjectStateKey } from './search-attributes';

type Input = ReturnType<typeof brollWorkflowInputSchema.parse>;
type CampaignView = Parameters<typeof startAndAwait>[0];

/** Round 1 under the plain id (a re-run reuses it); each new round of a rejected segment beside it. */
export function brollVideoWorkflowId(projectId: string, segmentId: string, round: number): string {
  return round === 1 ? `${projectId}--${segmentId}` : `${projectId}--${segmentId}--r${round}`;
}

/**
 * A documentary's B-roll: one clip per transcript segment through the one VideoGenerationWorkflow (same
 * lease cap, pre-screen, resubmission, archive), then the editor's review (approve, or reject with a new
 * prompt → a new round), then the edit list in S3. A review deadline, when set, ends the project with
 * what was approved.
 */
export async function BrollWorkflow(rawInput: BrollWorkflowInput): Promise<BrollResult> {
  const input = brollWorkflowInputSchema.parse(rawInput);
  // The campaign's child start and credit ledger, with the project as the campaign and segments as variants.
  const view: CampaignView = {
    campaignId: input.projectId,
    variants: input.segments.map((segment) => ({
      variantId: segment.segmentId,
      request: segment.request,
      fingerprint: segment.fingerprint,
    })),
    archive: input.archive,
    options: input.options,
    ...(input.budgetCredits !== undefined ? { budgetCredits: input.budgetCredits } : {}),
    ...(input.taskQueue !== undefined ? { taskQueue: input.taskQueue } : {}),
    imageUploads: new PromptImageUploads(),
  };
  const ledger = new CampaignLedger(view);
  const project = new BrollProject(input, ledger);
  // Children run in a scope of their own: the review deadline cancels rounds still generating, not the project.
  const generation = new CancellationScope();
  const running = new Set<Promise<void>>();
  let result: BrollResult | undefined;
  let published: ProjectState | undefined;

  const publishState = () => {
    const state = project.state();
    if (state === published) return;
    published = state;
    upsertSearchAttributes([{ key: ProjectStateKey, value: state }]);
  };
  const launch = (slot: SegmentSlot) => {
    const round = slot.progress.round;
    const done: Promise<void> = generation
      .run(() => runRound(input, view, ledger, slot, round))
      .finally(() => {
        running.delete(done);
        publishState();
      });
    running.add(done);
  };
  const finish = async (state: 'finalized' | 'review-expired'): Promise<BrollResult> => {
    project.closing = state;
    const missing = project.missing();
    const written = await brollActivities().writeEditList.executeWithOptions({ summary: `edit list of ${input.projectId} (${state})` }, [
      {
        bucket: input.archive.bucket,
        prefix: input.archive.prefix,
        projectId: input.projectId,
        fps: input.fps,
        state,
        segments: project.editListSegments(state),
        missing,
      },
    ]);
    result = { projectId: input.projectId, state, ...written, missing, credits: ledger.progress().creditsSpent };
    project.ended = state;
    publishState();
    return result;
  };

  setHandler(brollProgressQuery, () => project.progress());
  setHandler(variantStateSignal, (update) => ledger.onVariantState(update));
  setHandler(creditRequestSignal, (request) => ledger.onCreditRequest(request));
  setHandler(
    reviewUpdate,
    (update) => {
      for (const slot of project.applyReview(update)) launch(slot);
      publishState();
      return project.progress();
    },
    { validator: (update) => void project.refuseReview(update) },
  );
  setHandler(finalizeUpdate, () => finish('finalized'), { validator: (update) => project.refuseFinalize(update) });

  await checkWorkspaceFirst(
    `B-roll project ${input.projectId}`,
    input.segments.map((segment) => segment.request),
  );
  publishState();
  for (const slot of project.slots) launch(slot);
  try {
    await condition(() => project.everyFirstRoundEnded() || project.closing !== undefined);
    if (input.reviewDeadlineMs !== undefined && project.closing === undefined) {
      project.reviewDeadline = new Date(Date.now() + input.reviewDeadlineMs).toISOString();
      if (!(await condition(() => project.closing !== undefined, input.reviewDeadlineMs))) {
        project.closing = 'review-expired';
        generation.cancel();
        await Promise.all(running);
        await finish('review-expired');
      }
    }
    await condition(() => result !== undefined);
    await condition(allHandlersFinished);
    return result!;
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Cancelling the project cancels its children, which DELETE their remote tasks: wait for them.
    await CancellationScope.nonCancellable(async () => {
      project.cancelled = true;
      publishState();
      await Promise.all(running);
    });
    throw error;
  }
}

/** One round of one segment, to a clip or a failure the editor can answer with a new prompt. Never throws. */
async function runRound(input: Input, view: CampaignView, ledger: CampaignLedger, slot: SegmentSlot, round: number): Promise<void> {
  const { segmentId } = slot.plan;
  const workflowId = brollVideoWorkflowId(input.projectId, segmentId, round);
  const request = slot.request;
  const fail = (error: string) => {
    slot.progress.state = 'failed';
    slot.progress.error = error;
    slot.firstRoundEnded = true;
  };
  const estimate = creditsFor(request.model, request.duration);
  if (!ledger.reserve(segmentId, estimate)) {
    ledger.settle(segmentId, 0);
    fail(
      `${FailureType.BudgetExceeded}: round ${round} needs ${estimate} credits; the project budget of ${input.budgetCredits} credits has ${ledger.remaining()} left`,
    );
    return;
  }
  try {
    const fingerprint = round === 1 ? slot.plan.fingerprint : await brollActivities().fingerprintRequest(request);
    const { result, reused } = await startAndAwait(view, { variantId: segmentId, request, fingerprint }, workflowId);
    // A clip archived by an earlier run of this project was billed then, not by this run.
    const credits = reused ? 0 : result.credits;
    ledger.settle(segmentId, credits);
    slot.progress.clip = {
      round,
      videoWorkflowId: workflowId,
      promptText: request.promptText ?? '',
      bucket: result.s3.bucket,
      key: result.s3.key,
      sha256: result.s3.sha256,
      bytes: result.s3.bytes,
      durationSeconds: request.duration,
      runwayTaskId: result.runwayTaskId,
      credits,
    };
    slot.progress.state = 'awaiting-review';
    slot.firstRoundEnded = true;
  } catch (error) {
    if (isCancellation(error)) {
      // What a cancelled child was billed is not in its cancellation: the ledger keeps its reservation.
      ledger.settle(segmentId, undefined);
      fail(`cancelled in round ${round}`);
      return;
    }
    ledger.settle(segmentId, billedByFailure(error));
    const typed = variantError(error);
    fail(`${typed.type}: ${typed.message}`);
  }
}
