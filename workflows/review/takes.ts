import { isCancellation } from '@temporalio/workflow';
import type { ReviewItemProgress } from '../../schemas';
import { billedByFailure, generationError, startAndAwait, type GenerationParent, type PlannedGeneration } from '../generation/children';
import type { CreditBook } from '../generation/credit-book';
import type { ReviewRoom, TakeToRun } from './room';
import { DEFAULT_PRIORITY } from '../../schemas/priority';

/**
 * One take of a reviewed item through the generation core: its credits reserved first in the workload's
 * credit book (a take the budget cannot hold fails BudgetExceeded, nothing started), then the generation
 * child under the take's own id, then the room told how it ended. Never throws: a failed or cancelled take
 * is a take the reviewer sees failed, and the round goes on with the others.
 */
export async function runTake<Item extends ReviewItemProgress>(
  parent: GenerationParent,
  creditBook: CreditBook,
  room: ReviewRoom<Item>,
  run: TakeToRun,
  generation: PlannedGeneration,
): Promise<void> {
  const refused = creditBook.reserveFirst(generation.key, generation.request, `take ${run.take} of ${run.key}`);
  if (refused) {
    room.takeEnded(run.key, run.take, { error: `${refused.type}: ${refused.message}`, credits: 0 });
    return;
  }
  try {
    // A round after the first is someone's rejection: the reviewer waits for it.
    const planned = run.round > 1 ? { ...generation, priority: DEFAULT_PRIORITY.review } : generation;
    const { result, reused } = await startAndAwait(parent, planned, run.generationId);
    // A take archived by an earlier run of this workload was billed then, not by this run.
    const credits = reused ? 0 : result.credits;
    creditBook.settle(generation.key, credits);
    const durationSeconds = generation.request.kind === 'speech' ? 0 : generation.request.duration;
    room.takeEnded(run.key, run.take, {
      output: {
        bucket: result.s3.bucket,
        key: result.s3.key,
        sha256: result.s3.sha256,
        bytes: result.s3.bytes,
        durationSeconds,
        runwayTaskId: result.runwayTaskId,
      },
      credits,
    });
  } catch (error) {
    if (isCancellation(error)) {
      // What a cancelled child was billed is not in its cancellation: the credit book keeps its reservation.
      creditBook.settle(generation.key, undefined);
      room.takeEnded(run.key, run.take, { error: `cancelled in round ${run.round}`, credits: 0 });
      return;
    }
    const billed = billedByFailure(error);
    creditBook.settle(generation.key, billed);
    const typed = generationError(error);
    room.takeEnded(run.key, run.take, { error: `${typed.type}: ${typed.message}`, credits: billed ?? 0 });
  }
}
