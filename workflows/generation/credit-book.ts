import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { GenerationError, ResolvedGenerationRequest } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { requestCredits } from '../../schemas/generation-values';
import { creditDecisionSignal, type CreditRequest } from '../messages';

/** One generation's entry while it runs: what Runway billed it so far, and the reservation of its open submission. */
interface OpenEntry {
  billed: number;
  reserved: number;
}

/** What a workload that continues as new hands its next run: the open entries and what ended billed. */
export interface CreditBookState {
  open: Array<[string, OpenEntry]>;
  settledSpent: number;
}

/**
 * A workload's credits, by generation key. Per generation it holds what Runway has billed so far and what
 * is reserved for the submission in flight; a submission's reservation is released once the next credit
 * request or the generation's end reports what it was billed (refunded attempts bill 0). With a budget,
 * nothing is reserved past it: a generation is refused before it starts, a resubmission before its POST.
 */
export class CreditBook {
  /** Generations still running: billed so far and the reservation of their open submission. */
  private readonly open = new Map<string, OpenEntry>();
  /** Billed by generations that have ended. */
  private settledSpent = 0;

  /** `workload`: how a refusal names the budget ("the campaign budget of 40 credits…"). */
  constructor(private readonly budget: { budgetCredits?: number | undefined; workload: string }) {}

  exportState(): CreditBookState {
    return { open: [...this.open.entries()].map(([key, entry]) => [key, { ...entry }]), settledSpent: this.settledSpent };
  }

  restore(state: { open: ReadonlyArray<readonly [string, OpenEntry]>; settledSpent: number }): void {
    for (const [key, entry] of state.open) this.open.set(key, { ...entry });
    this.settledSpent = state.settledSpent;
  }

  creditsReserved(): number {
    let sum = 0;
    for (const entry of this.open.values()) sum += entry.reserved;
    return sum;
  }

  creditsSpent(): number {
    let sum = this.settledSpent;
    for (const entry of this.open.values()) sum += entry.billed;
    return sum;
  }

  remaining(): number {
    const { budgetCredits } = this.budget;
    return budgetCredits === undefined ? Number.POSITIVE_INFINITY : budgetCredits - this.creditsReserved() - this.creditsSpent();
  }

  /**
   * Reserve a generation's first submission before its child starts, or refuse it: the refusal is the
   * generation's BudgetExceeded error (nothing started, nothing billed, the key settled at 0).
   * `what` names the generation in the message when the workload says more than "needs…" (a round).
   */
  reserveFirst(key: string, request: ResolvedGenerationRequest, what?: string): GenerationError | undefined {
    const estimate = requestCredits(request);
    if (this.reserve(key, estimate)) return undefined;
    this.settle(key, 0);
    return {
      type: FailureType.BudgetExceeded,
      message: `${what ? `${what} ` : ''}needs ${estimate} credits; the ${this.budget.workload} budget of ${this.budget.budgetCredits} credits has ${this.remaining()} left`,
    };
  }

  /** Reserve the next submission of a generation; `billed` settles its earlier submissions first. */
  reserve(key: string, credits: number, billed?: number): boolean {
    const entry = this.open.get(key) ?? { billed: 0, reserved: 0 };
    this.open.set(key, entry);
    if (billed !== undefined) {
      entry.billed = billed;
      entry.reserved = 0;
    }
    if (credits > this.remaining()) return false;
    entry.reserved += credits;
    return true;
  }

  /**
   * Runway's create answer put the open submission's most at `credits` (its estimatedCost): the reservation
   * becomes that. The budget then counts Runway's figure, not the catalog's, for the rest of the task.
   */
  correct(key: string, credits: number): void {
    const entry = this.open.get(key);
    if (entry) entry.reserved = credits;
  }

  /** A state update from a generation's activity: its estimate, when it carries one. */
  onState(update: { generationKey: string; estimatedCredits?: number }): void {
    if (update.estimatedCredits !== undefined) this.correct(update.generationKey, update.estimatedCredits);
  }

  /**
   * The generation ended: release its reservations and count what it billed. When a failure does not say
   * (not a typed failure of the generation workflow), its reservation stays held so the budget cannot be
   * exceeded, and only what it reported billed so far counts as spent.
   */
  settle(key: string, billed: number | undefined): void {
    const entry = this.open.get(key) ?? { billed: 0, reserved: 0 };
    this.open.delete(key);
    if (billed !== undefined) {
      this.settledSpent += billed;
      return;
    }
    this.settledSpent += entry.billed;
    this.open.set(`${key} (unsettled)`, { billed: 0, reserved: entry.reserved });
  }

  /** A child's credit request (a resubmission): reserve it or not, and tell the child. */
  async onCreditRequest(request: CreditRequest): Promise<void> {
    const granted = this.reserve(request.generationKey, request.credits, request.billedCredits);
    await getExternalWorkflowHandle(request.workflowId).signal(creditDecisionSignal, {
      submission: request.submission,
      granted,
      remaining: Math.max(0, this.remaining()),
    });
  }
}
