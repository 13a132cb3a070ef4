import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  setWorkflowOptions,
} from '@temporalio/workflow';
import { brollWorkflowInputSchema, type BrollResult, type BrollWorkflowInput, type ProjectState } from '../../schemas';
import { brollActivities } from '../activity-stubs';
import { brollProgressQuery, creditRequestSignal, finalizeUpdate, generationStateSignal, reviewUpdate } from '../messages';
import { ProjectStateKey } from '../search-attributes';
import { billedByFailure, generationError, generationParent, startAndAwait, type GenerationParent } from '../generation/children';
import { CreditBook } from '../generation/credit-book';
import { GenerationStates } from '../generation/states';
import { checkWorkspaceFirst } from '../generation/workspace-check';
import { segmentWorkflowId } from './ids';
import { BrollProject, type ProjectSegment } from './project';
import { versioned } from '../versioning';

type Input = ReturnType<typeof brollWorkflowInputSchema.parse>;

// Pinned: a project waits days for its editor and finishes on the code it started on; a release never has to replay it.
setWorkflowOptions(versioned('PINNED'), BrollWorkflow);

/**
 * A documentary's B-roll: one clip per transcript segment through the one GenerationWorkflow (same
 * lease cap, pre-screen, resubmission, archive), then the editor's review (approve, or reject with a new
 * prompt → a new round), then the edit list in S3. A review deadline, when set, ends the project with
 * what was approved.
 */
export async function BrollWorkflow(rawInput: BrollWorkflowInput): Promise<BrollResult> {
  const input = brollWorkflowInputSchema.parse(rawInput);
  // Each segment's rounds are generations of the project, keyed by the segment id.
  const parent = generationParent(input.projectId, input);
  const creditBook = new CreditBook({ budgetCredits: input.budgetCredits, workload: 'project' });
  const states = new GenerationStates(input.segments.map((segment) => segment.segmentId));
  const project = new BrollProject(input, creditBook);
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
  const launch = (segment: ProjectSegment) => {
    const round = segment.progress.round;
    const done: Promise<void> = generation
      .run(() => runRound(input, parent, creditBook, segment, round))
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
    result = { projectId: input.projectId, state, ...written, missing, credits: creditBook.creditsSpent() };
    project.ended = state;
    publishState();
    return result;
  };

  setHandler(brollProgressQuery, () => project.progress());
  setHandler(generationStateSignal, (update) => states.onState(update));
  setHandler(creditRequestSignal, (request) => creditBook.onCreditRequest(request));
  setHandler(
    reviewUpdate,
    (update) => {
      for (const segment of project.applyReview(update)) launch(segment);
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
  for (const segment of project.segments) launch(segment);
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
async function runRound(
  input: Input,
  parent: GenerationParent,
  creditBook: CreditBook,
  segment: ProjectSegment,
  round: number,
): Promise<void> {
  const { segmentId } = segment.plan;
  const workflowId = segmentWorkflowId(input.projectId, segmentId, round);
  const request = segment.request;
  const fail = (error: string) => {
    segment.progress.state = 'failed';
    segment.progress.error = error;
    segment.firstRoundEnded = true;
  };
  const refused = creditBook.reserveFirst(segmentId, request, `round ${round}`);
  if (refused) {
    fail(`${refused.type}: ${refused.message}`);
    return;
  }
  try {
    const fingerprint = round === 1 ? segment.plan.fingerprint : await brollActivities().fingerprintRequest(request);
    const { result, reused } = await startAndAwait(parent, { key: segmentId, request, fingerprint }, workflowId);
    // A clip archived by an earlier run of this project was billed then, not by this run.
    const credits = reused ? 0 : result.credits;
    creditBook.settle(segmentId, credits);
    segment.progress.clip = {
      round,
      generationWorkflowId: workflowId,
      promptText: request.promptText ?? '',
      bucket: result.s3.bucket,
      key: result.s3.key,
      sha256: result.s3.sha256,
      bytes: result.s3.bytes,
      durationSeconds: request.duration,
      runwayTaskId: result.runwayTaskId,
      credits,
    };
    segment.progress.state = 'awaiting-review';
    segment.firstRoundEnded = true;
  } catch (error) {
    if (isCancellation(error)) {
      // What a cancelled child was billed is not in its cancellation: the credit book keeps its reservation.
      creditBook.settle(segmentId, undefined);
      fail(`cancelled in round ${round}`);
      return;
    }
    creditBook.settle(segmentId, billedByFailure(error));
    const typed = generationError(error);
    fail(`${typed.type}: ${typed.message}`);
  }
}
