import { setHandler, type QueryDefinition } from '@temporalio/workflow';
import type { ReviewItemProgress, ReviewView } from '../../schemas';
import type { CreditBook } from '../generation/credit-book';
import type { GenerationStates } from '../generation/states';
import { creditRequestSignal, generationStateSignal, reviewUpdate, reviewViewQuery } from '../messages';
import type { ReviewRoom } from './room';

/** What a reviewed workload hands the room's handlers: its progress (and the query that answers it), its books, what a decision starts. */
export interface ReviewedWorkflow<Item extends ReviewItemProgress, Progress extends ReviewView<Item>> {
  progressQuery: QueryDefinition<Progress>;
  progress(): Progress;
  states: GenerationStates;
  creditBook: CreditBook;
  /** Start what the accepted decisions ask for: rejected items' next rounds, redone voiceovers. */
  decided(applied: ReturnType<ReviewRoom<Item>['applyReview']>): void;
}

/**
 * The messages every reviewed workload answers alike: its progress query and the review view (the same
 * answer), its generations' states and credit requests, and the review Update, whose validator is the
 * room's and whose answer is the new progress.
 */
export function setReviewHandlers<Item extends ReviewItemProgress, Progress extends ReviewView<Item>>(
  room: ReviewRoom<Item>,
  workflow: ReviewedWorkflow<Item, Progress>,
): void {
  setHandler(workflow.progressQuery, workflow.progress);
  setHandler(reviewViewQuery, workflow.progress);
  setHandler(generationStateSignal, (update) => {
    workflow.creditBook.onState(update);
    workflow.states.onState(update);
  });
  setHandler(creditRequestSignal, (request) => workflow.creditBook.onCreditRequest(request));
  setHandler(
    reviewUpdate,
    (update) => {
      workflow.decided(room.applyReview(update));
      return workflow.progress();
    },
    { validator: (update) => void room.refuseReview(update) },
  );
}
