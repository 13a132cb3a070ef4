import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  setHandler,
  upsertSearchAttributes,
  setWorkflowOptions,
} from '@temporalio/workflow';
import type { BrollResult, BrollWorkflowInput, ContactSheetRef, ProjectState } from '../../schemas';
import { ratioSize } from '../../schemas/clip-name';
import { brollActivities, reviewActivities } from '../activity-stubs';
import { brollProgressQuery, contactSheetUpdate, finalizeUpdate } from '../messages';
import { ProjectStateKey } from '../search-attributes';
import { generationParent } from '../generation/children';
import { CreditBook } from '../generation/credit-book';
import { GenerationStates } from '../generation/states';
import { checkWorkspaceFirst } from '../generation/workspace-check';
import type { RoomEntry } from '../review/room';
import { setReviewHandlers } from '../review/handlers';
import { closeCancelled, runTake } from '../review/takes';
import { BrollProject } from './project';
import { DEFAULT_PRIORITY } from '../../schemas/priority-classes';
import { withWebhook } from '../delivery/announce';
import type { SegmentReview } from '../../schemas';
import { versioned } from '../versioning';
import { workloadSchemas } from '../workload-schemas';

// Pinned: a project waits days for its editor and finishes on the code it started on; a release never has to replay it.
setWorkflowOptions(versioned('PINNED'), BrollWorkflow);

/**
 * A documentary's B-roll: `takesPerSegment` takes of every segment through the one GenerationWorkflow
 * (same lease cap, pre-screen, resubmission, archive), each with its own seed; then the editor's review
 * in the review room (select a take, or reject the round with a new prompt → the next round of takes);
 * a contact sheet of every take kept in S3; then the timeline (EDL, FCP XML, CSV) in S3. A review
 * deadline, when set, ends the project with what was selected.
 */
export async function BrollWorkflow(rawInput: BrollWorkflowInput): Promise<BrollResult> {
  // The webhook is read from the raw input: the body parses and validates it, and a parse failure is announced too.
  return withWebhook('broll', rawInput.options.webhook, () => runBroll(rawInput));
}

async function runBroll(rawInput: BrollWorkflowInput): Promise<BrollResult> {
  const input = workloadSchemas().brollWorkflowInputSchema.parse(rawInput);
  // Each take is a generation of the project, keyed by its segment and take (s01-t2).
  const parent = generationParent(input.projectId, input, DEFAULT_PRIORITY.broll);
  const creditBook = new CreditBook({ budgetCredits: input.budgetCredits, workload: 'project' });
  const states = new GenerationStates(input.segments.flatMap((segment) => takeKeys(segment.segmentId, input.takesPerSegment)));
  const project = new BrollProject(input, creditBook);
  const { room } = project;
  // Takes run in a scope of their own: the review deadline cancels rounds still generating, not the project.
  const generation = new CancellationScope();
  const running = new Set<Promise<void>>();
  let result: BrollResult | undefined;
  let published: ProjectState | undefined;
  let contactSheet: ContactSheetRef | undefined;

  const publishState = () => {
    const state = project.state();
    if (state === published) return;
    published = state;
    upsertSearchAttributes([{ key: ProjectStateKey, value: state }]);
  };
  const fingerprint = (request: Parameters<ReturnType<typeof reviewActivities>['fingerprintRequest']>[0]) =>
    reviewActivities().fingerprintRequest(request);
  const launchRound = (entry: RoomEntry<SegmentReview>) => {
    for (const run of room.startRound(entry)) {
      const done: Promise<void> = generation
        .run(async () => void (await runTake(parent, creditBook, room, run, await project.generation(run, fingerprint))))
        .finally(() => {
          running.delete(done);
          publishState();
        });
      running.add(done);
    }
  };
  const progress = () => ({ ...project.progress(), ...(contactSheet ? { contactSheet } : {}) });
  /** The takes the sheet shows: every current take that has a frame to show, and which is selected. */
  const sheetSignature = () =>
    room.entries
      .map(
        (entry) =>
          `${entry.progress.key}:${entry.progress.takes.map((take) => `${take.take}${take.state[0]}`).join('.')}:${entry.progress.selectedTake ?? ''}`,
      )
      .join(',');
  let sheetShown = '';
  const writeContactSheet = async (): Promise<ContactSheetRef> => {
    const signature = sheetSignature();
    const written = await brollActivities().writeContactSheet.executeWithOptions({ summary: `contact sheet of ${input.projectId}` }, [
      {
        bucket: input.archive.bucket,
        prefix: input.archive.prefix,
        projectId: input.projectId,
        columns: input.takesPerSegment,
        cells: room.entries.flatMap((entry) =>
          entry.progress.takes.map((take) => ({
            label: `${entry.progress.key} · take ${take.take}${entry.progress.selectedTake === take.take ? ' ✓' : take.state === 'ready' ? '' : ` (${take.state})`}`,
            ...(take.output ? { key: take.output.key, atSeconds: take.output.durationSeconds / 2 } : {}),
          })),
        ),
      },
    ]);
    sheetShown = signature;
    contactSheet = written;
    return written;
  };
  /**
   * While the project is open, the sheet follows every round once its takes are in. It is for people to
   * look at: a sheet that cannot be made (its activity's retries spent) is skipped until the next round,
   * never the project's failure; cancelling the project ends it.
   */
  const keepContactSheet = async () => {
    for (;;) {
      try {
        await condition(() => result !== undefined || room.cancelled || (!room.anyGenerating() && sheetSignature() !== sheetShown));
        if (result !== undefined || room.cancelled) return;
        await writeContactSheet();
      } catch (error) {
        if (isCancellation(error)) return;
        sheetShown = sheetSignature();
        log.warn('contact sheet not made', { projectId: input.projectId, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  const finish = async (state: 'finalized' | 'review-expired'): Promise<BrollResult> => {
    room.closing = state;
    const missing = room.missing();
    const written = await brollActivities().writeEditList.executeWithOptions({ summary: `edit list of ${input.projectId} (${state})` }, [
      {
        bucket: input.archive.bucket,
        prefix: input.archive.prefix,
        projectId: input.projectId,
        fps: input.fps,
        state,
        segments: project.editListSegments(state),
        missing,
        ...frameSize(input.segments[0]!.request.ratio ?? ''),
      },
    ]);
    result = {
      projectId: input.projectId,
      state,
      ...written,
      missing,
      credits: creditBook.creditsSpent(),
      estimatedCredits: input.segments.reduce((sum, segment) => sum + segment.estimatedCredits, 0),
      ...(contactSheet ? { contactSheet } : {}),
    };
    room.ended = state;
    publishState();
    return result;
  };

  setReviewHandlers(room, {
    progressQuery: brollProgressQuery,
    progress,
    states,
    creditBook,
    decided: ({ rounds }) => {
      for (const entry of rounds) {
        project.promptChanged(entry.progress.key, entry.progress.promptText);
        launchRound(entry);
      }
      publishState();
    },
  });
  setHandler(finalizeUpdate, () => finish('finalized'), { validator: (update) => room.refuseFinalize(update) });
  setHandler(contactSheetUpdate, writeContactSheet, { validator: () => room.refuseIfClosed('contact sheets') });

  await checkWorkspaceFirst(
    `B-roll project ${input.projectId}`,
    input.segments.map((segment) => segment.request),
  );
  publishState();
  for (const entry of room.entries) launchRound(entry);
  const sheets = keepContactSheet();
  try {
    await condition(() => room.everyFirstRoundEnded() || room.closing !== undefined);
    if (input.reviewDeadlineMs !== undefined && room.closing === undefined) {
      room.reviewDeadline = new Date(Date.now() + input.reviewDeadlineMs).toISOString();
      if (!(await condition(() => room.closing !== undefined, input.reviewDeadlineMs))) {
        room.closing = 'review-expired';
        generation.cancel();
        await Promise.all(running);
        await finish('review-expired');
      }
    }
    await condition(() => result !== undefined);
    await sheets;
    await condition(allHandlersFinished);
    return result!;
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await closeCancelled(room, running, publishState);
    throw error;
  }
}

/** The sequence's frame size from the project's ratio (1280×720 for a ratio that names no pixels). */
function frameSize(ratio: string): { width: number; height: number } {
  const size = ratioSize(ratio);
  return { width: size.width ?? 1280, height: size.height ?? 720 };
}

/** The generation keys of a segment's first round. */
function takeKeys(segmentId: string, takes: number): string[] {
  return Array.from({ length: takes }, (_, index) => `${segmentId}-t${index + 1}`);
}
