import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { GenerationError, GenerationResult, ReviewItemProgress, TakeOutput } from '../../schemas';
import { billedByFailure, generationError, startAndAwait, type GenerationParent, type PlannedGeneration } from '../generation/children';
import type { CreditBook } from '../generation/credit-book';
import type { ReviewRoom, TakeEnd, TakeToRun, VoiceoverToRun } from './room';
import { DEFAULT_PRIORITY } from '../../schemas/priority-classes';

/** How a reviewed generation ended: its archived result, its typed error, or cancelled with its workload. */
export type ReviewedOutcome =
  | { result: GenerationResult; output: TakeOutput; credits: number }
  | { error: GenerationError; credits: number }
  | { cancelled: string; credits: 0 };

/**
 * One take of a reviewed item through the generation core (see runReviewed), the room told how it ended.
 * Never throws: a failed or cancelled take is a take the reviewer sees failed, and the round goes on.
 */
export async function runTake<Item extends ReviewItemProgress>(
  parent: GenerationParent,
  creditBook: CreditBook,
  room: ReviewRoom<Item>,
  run: TakeToRun,
  generation: PlannedGeneration,
): Promise<ReviewedOutcome> {
  const outcome = await runReviewed(parent, creditBook, generation, run.generationId, `take ${run.take} of ${run.key}`, run.round);
  room.takeEnded(run.key, run.take, roomEnd(outcome));
  return outcome;
}

/** One voiceover take of a narrated item, like a take: the room told how it ended; never throws. */
export async function runVoiceover<Item extends ReviewItemProgress>(
  parent: GenerationParent,
  creditBook: CreditBook,
  room: ReviewRoom<Item>,
  run: VoiceoverToRun,
  generation: PlannedGeneration,
): Promise<ReviewedOutcome> {
  const label = run.take === 1 ? undefined : `voiceover take ${run.take} of ${run.key}`;
  const outcome = await runReviewed(parent, creditBook, generation, run.generationId, label, run.take);
  room.voiceoverEnded(run.key, run.take, roomEnd(outcome));
  return outcome;
}

/**
 * A reviewed generation: its credits reserved first in the workload's credit book (one the budget cannot
 * hold fails BudgetExceeded, nothing started), then the generation child under its own id.
 */
async function runReviewed(
  parent: GenerationParent,
  creditBook: CreditBook,
  generation: PlannedGeneration,
  workflowId: string,
  label: string | undefined,
  round: number,
): Promise<ReviewedOutcome> {
  const refused = creditBook.reserveFirst(generation.key, generation.request, label);
  if (refused) return { error: refused, credits: 0 };
  try {
    // A round (or a voiceover take) after the first is someone's review decision: the reviewer waits for it.
    const planned = round > 1 ? { ...generation, priority: DEFAULT_PRIORITY.review } : generation;
    const { result, reused } = await startAndAwait(parent, planned, workflowId);
    // Archived by an earlier run of this workload: billed then, not by this run.
    const credits = reused ? 0 : result.credits;
    creditBook.settle(generation.key, credits);
    const durationSeconds = generation.request.kind === 'speech' ? 0 : generation.request.duration;
    const output: TakeOutput = {
      bucket: result.s3.bucket,
      key: result.s3.key,
      sha256: result.s3.sha256,
      bytes: result.s3.bytes,
      durationSeconds,
      runwayTaskId: result.runwayTaskId,
    };
    return { result, output, credits };
  } catch (error) {
    if (isCancellation(error)) {
      // What a cancelled child was billed is not in its cancellation: the credit book keeps its reservation.
      creditBook.settle(generation.key, undefined);
      return { cancelled: `cancelled in round ${round}`, credits: 0 };
    }
    const billed = billedByFailure(error);
    creditBook.settle(generation.key, billed);
    return { error: generationError(error), credits: billed ?? 0 };
  }
}

/**
 * Cancelling a reviewed workload cancels its takes and voiceovers, which DELETE their remote tasks: the room
 * closes (its state published) and waits for every one of them, whatever cancels the wait.
 */
export async function closeCancelled<Item extends ReviewItemProgress>(
  room: ReviewRoom<Item>,
  running: Iterable<Promise<void>>,
  publishState: () => void,
): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    room.cancelled = true;
    publishState();
    await Promise.all(running);
  });
}

function roomEnd(outcome: ReviewedOutcome): TakeEnd {
  if ('output' in outcome) return { output: outcome.output, credits: outcome.credits };
  if ('cancelled' in outcome) return { error: outcome.cancelled, credits: 0 };
  return { error: `${outcome.error.type}: ${outcome.error.message}`, credits: outcome.credits };
}
