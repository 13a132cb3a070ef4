import { ApplicationFailure, condition, getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import type { GenerationWorkflowInput, SubmissionRecord } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { creditRequestSignal, type CreditDecision } from '../messages';

/**
 * Credits for resubmissions come from the workload's budget, granted by the parent's credit book; a
 * generation on its own checks its own budgetCredits, for every submission.
 */
export class CreditLine {
  private decisions = new Map<number, CreditDecision>();

  constructor(
    private readonly budgeted: boolean,
    private readonly ownBudget: number | undefined,
    /** The generation's submission records so far: what Runway has billed it. */
    private readonly submissions: SubmissionRecord[],
  ) {}

  onDecision(decision: CreditDecision): void {
    this.decisions.set(decision.submission, decision);
  }

  async request(input: GenerationWorkflowInput, submission: number, credits: number): Promise<void> {
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
    // The workload reserved the first submission before it started this child.
    if (!this.budgeted || submission === 1) return;
    await getExternalWorkflowHandle(parent.workflowId).signal(creditRequestSignal, {
      generationKey: input.generationKey,
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
        message: `resubmission ${submission} needs ${credits} credits; the budget of its workload has ${decision?.remaining ?? 0} left`,
      });
    }
  }
}

/** What Runway billed a generation's submissions, net of refunds. */
export function totalCredits(submissions: SubmissionRecord[]): number {
  return submissions.reduce((sum, record) => sum + record.credits, 0);
}
