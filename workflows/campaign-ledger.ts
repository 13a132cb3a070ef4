import { getExternalWorkflowHandle } from '@temporalio/workflow';
import {
  videoStateSchema,
  type CampaignProgress,
  type VariantOutcome,
  type VideoState,
  type campaignWorkflowInputSchema,
} from '../schemas';
import { creditDecisionSignal, type CreditRequest, type VariantStateUpdate } from './messages';

type Input = ReturnType<typeof campaignWorkflowInputSchema.parse>;

const ALL_STATES: readonly VideoState[] = videoStateSchema.options;

/**
 * The campaign's view of its variants and credits. Per variant it holds what Runway has billed so far and
 * what is reserved for the submission in flight; a submission's reservation is released once the next
 * credit request or the child's end reports what it was billed (refunded attempts bill 0).
 */
export class CampaignLedger {
  private readonly variants = new Map<string, CampaignProgress['variants'][number]>();
  /** Variants whose child is still running: billed so far and the reservation of their open submission. */
  private readonly open = new Map<string, { billed: number; reserved: number }>();
  /** Billed by variants that have ended. */
  private settledSpent = 0;

  constructor(private readonly input: Pick<Input, 'campaignId' | 'budgetCredits'> & { variants: ReadonlyArray<{ variantId: string }> }) {
    for (const variant of input.variants) this.variants.set(variant.variantId, { variantId: variant.variantId, state: 'waiting' });
  }

  /** What a campaign that continues as new hands its next run: the open entries and what ended billed. */
  exportState(): { open: Array<[string, { billed: number; reserved: number }]>; settledSpent: number } {
    return { open: [...this.open.entries()].map(([id, entry]) => [id, { ...entry }]), settledSpent: this.settledSpent };
  }

  restore(state: { open: ReadonlyArray<readonly [string, { billed: number; reserved: number }]>; settledSpent: number }): void {
    for (const [id, entry] of state.open) this.open.set(id, { ...entry });
    this.settledSpent = state.settledSpent;
  }

  creditsReserved(): number {
    return this.reserved();
  }

  creditsSpent(): number {
    return this.spent();
  }

  private reserved(): number {
    let sum = 0;
    for (const entry of this.open.values()) sum += entry.reserved;
    return sum;
  }

  private spent(): number {
    let sum = this.settledSpent;
    for (const entry of this.open.values()) sum += entry.billed;
    return sum;
  }

  remaining(): number {
    return this.input.budgetCredits === undefined ? Number.POSITIVE_INFINITY : this.input.budgetCredits - this.reserved() - this.spent();
  }

  /** Reserve the next submission of a variant; `billed` settles its earlier submissions first. */
  reserve(variantId: string, credits: number, billed?: number): boolean {
    const entry = this.open.get(variantId) ?? { billed: 0, reserved: 0 };
    this.open.set(variantId, entry);
    if (billed !== undefined) {
      entry.billed = billed;
      entry.reserved = 0;
    }
    if (credits > this.remaining()) return false;
    entry.reserved += credits;
    return true;
  }

  /**
   * The child ended: release its reservations and count what it billed. When a failure does not say
   * (not a typed failure of the video workflow), its reservation stays held so the budget cannot be
   * exceeded, and only what it reported billed so far counts as spent.
   */
  settle(variantId: string, billed: number | undefined): void {
    const entry = this.open.get(variantId) ?? { billed: 0, reserved: 0 };
    this.open.delete(variantId);
    if (billed !== undefined) {
      this.settledSpent += billed;
      return;
    }
    this.settledSpent += entry.billed;
    this.open.set(`${variantId} (unsettled)`, { billed: 0, reserved: entry.reserved });
  }

  onVariantState(update: VariantStateUpdate): void {
    const entry = this.variants.get(update.variantId);
    if (!entry || entry.state === 'archived' || entry.state === 'failed') return;
    entry.state = update.state;
    if (update.runwayTaskId !== undefined) entry.runwayTaskId = update.runwayTaskId;
    if (update.submissions !== undefined) entry.submissions = update.submissions;
  }

  async onCreditRequest(request: CreditRequest): Promise<void> {
    const granted = this.reserve(request.variantId, request.credits, request.billedCredits);
    await getExternalWorkflowHandle(request.workflowId).signal(creditDecisionSignal, {
      submission: request.submission,
      granted,
      remaining: Math.max(0, this.remaining()),
    });
  }

  finish(variantId: string, outcome: VariantOutcome): VariantOutcome {
    const entry = this.variants.get(variantId);
    if (entry) {
      entry.state = outcome.state;
      if (outcome.result) {
        entry.runwayTaskId = outcome.result.runwayTaskId;
        entry.submissions = outcome.result.submissions;
      }
      if (outcome.error) entry.error = `${outcome.error.type}: ${outcome.error.message}`;
    }
    return outcome;
  }

  progress(): CampaignProgress {
    const counts = Object.fromEntries(ALL_STATES.map((state) => [state, 0])) as Record<VideoState, number>;
    for (const entry of this.variants.values()) counts[entry.state] += 1;
    return {
      campaignId: this.input.campaignId,
      total: this.variants.size,
      counts,
      variants: [...this.variants.values()],
      creditsReserved: this.reserved(),
      creditsSpent: this.spent(),
    };
  }
}
