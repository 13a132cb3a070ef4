import { ApplicationFailure } from '@temporalio/workflow';
import {
  FailureType,
  finalizeUpdateSchema,
  reviewStateSchema,
  reviewUpdateSchema,
  type FinalizeUpdate,
  type ReviewDecision,
  type ReviewItemProgress,
  type ReviewState,
  type ReviewTake,
  type ReviewUpdate,
  type ReviewView,
  type TakeOutput,
} from '../../schemas';

/**
 * The review room: every workload that asks a person to decide on its generations (B-roll segments,
 * explainer chunks) keeps its items here. An item is generated in rounds of takes; the reviewer selects
 * one take (approve, when there is one), or rejects the round with a new prompt, which is the item's next
 * round. The room holds the rules (what a decision may do now, and why not, in words that name the item
 * and the take) and the state the review query shows; the workload's workflow runs the takes through the
 * generation core and tells the room how each ended. Deterministic: no I/O, no clock.
 */

export interface RoomRules {
  workloadId: string;
  /** What an item is called in messages: "segment", "chunk". */
  noun: string;
  /** What the workload is called in messages: "project", "explainer". */
  workload: string;
  takesPerItem: number;
  maxRounds: number;
  /** The credits one take of this prompt costs (list price), and what the budget has left. */
  takeCredits(key: string): number;
  remaining(): number;
  budgetCredits?: number | undefined;
  /** A take's generation workflow id (deterministic: a re-run finds and reuses an archived take). */
  generationId(key: string, take: number): string;
  /** The seed of a take, when the model takes one: distinct per take. */
  seed(key: string, take: number): number | undefined;
}

/** One take the workload is to generate now. */
export interface TakeToRun {
  key: string;
  take: number;
  round: number;
  generationId: string;
  seed?: number;
  promptText: string;
}

/** An item's entry: what the review query shows of it, and whether its first round has ended. */
export interface RoomEntry<Item extends ReviewItemProgress> {
  progress: Item;
  firstRoundEnded: boolean;
}

export type ClosedState = 'finalized' | 'review-expired';

export class ReviewRoom<Item extends ReviewItemProgress> {
  readonly entries: Array<RoomEntry<Item>>;
  private readonly byKey = new Map<string, RoomEntry<Item>>();
  /** Set once a finalize is accepted or the deadline passed: decisions are closed. */
  closing: ClosedState | undefined;
  ended: ClosedState | undefined;
  cancelled = false;
  reviewDeadline: string | undefined;

  constructor(
    items: Item[],
    private readonly rules: RoomRules,
  ) {
    this.entries = items.map((progress) => ({ progress, firstRoundEnded: false }));
    for (const entry of this.entries) this.byKey.set(entry.progress.key, entry);
  }

  entry(key: string): RoomEntry<Item> | undefined {
    return this.byKey.get(key);
  }

  /** The takes of an item's current round, marked generating: the workload starts each. */
  startRound(entry: RoomEntry<Item>): TakeToRun[] {
    const { progress } = entry;
    progress.state = 'generating';
    delete progress.error;
    delete progress.selectedTake;
    const first = (progress.round - 1) * this.rules.takesPerItem + 1;
    progress.takes = [];
    const runs: TakeToRun[] = [];
    for (let take = first; take < first + this.rules.takesPerItem; take++) {
      const seed = this.rules.seed(progress.key, take);
      const run: TakeToRun = {
        key: progress.key,
        take,
        round: progress.round,
        generationId: this.rules.generationId(progress.key, take),
        promptText: progress.promptText,
        ...(seed !== undefined ? { seed } : {}),
      };
      progress.takes.push({
        take,
        round: progress.round,
        state: 'generating',
        generationId: run.generationId,
        promptText: run.promptText,
        credits: 0,
        ...(seed !== undefined ? { seed } : {}),
      });
      runs.push(run);
    }
    return runs;
  }

  /** A take ended: with its output, or its error. The round ends when its last take does. */
  takeEnded(key: string, take: number, outcome: { output: TakeOutput; credits: number } | { error: string; credits: number }): void {
    const entry = this.byKey.get(key);
    const found = entry?.progress.takes.find((candidate) => candidate.take === take);
    if (!entry || !found) return;
    found.credits = outcome.credits;
    if ('output' in outcome) {
      found.state = 'ready';
      found.output = outcome.output;
    } else {
      found.state = 'failed';
      found.error = outcome.error;
    }
    const { progress } = entry;
    if (progress.takes.some((candidate) => candidate.state === 'generating')) return;
    entry.firstRoundEnded = true;
    if (progress.takes.some((candidate) => candidate.state === 'ready')) progress.state = 'awaiting-review';
    else {
      progress.state = 'failed';
      progress.error = progress.takes.map((candidate) => `take ${candidate.take}: ${candidate.error ?? 'failed'}`).join('; ');
    }
  }

  everyFirstRoundEnded(): boolean {
    return this.entries.every((entry) => entry.firstRoundEnded);
  }

  anyGenerating(): boolean {
    return this.entries.some((entry) => entry.progress.state === 'generating');
  }

  /** The Update's validator: the payload as parsed, or a refusal naming the item, the take and why. */
  refuseReview(raw: ReviewUpdate): ReviewUpdate {
    const parsed = reviewUpdateSchema.safeParse(raw);
    if (!parsed.success)
      throw refused(
        `invalid review: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'decisions'}: ${issue.message}`).join('; ')}`,
      );
    this.refuseIfClosed('decisions');
    const { noun } = this.rules;
    const seen = new Set<string>();
    let rejectCredits = 0;
    for (const decision of parsed.data.decisions) {
      const entry = this.byKey.get(decision.key);
      if (!entry)
        throw refused(`unknown ${noun} "${decision.key}": ${this.rules.workload} ${this.rules.workloadId} has ${this.keysText()}`);
      if (seen.has(decision.key)) throw refused(`${noun} ${decision.key} has two decisions in one review; send one`);
      seen.add(decision.key);
      const { progress } = entry;
      if (progress.state === 'generating')
        throw refused(`${noun} ${decision.key} is still generating (round ${progress.round}); decide once its takes are ready`);
      if (decision.action === 'select') this.takeToSelect(entry, decision.take);
      if (decision.action === 'approve') this.onlyTake(entry);
      if (decision.action === 'reject') {
        // maxReviewRounds counts the rounds a reviewer may ask for after the first.
        if (progress.round > this.rules.maxRounds)
          throw refused(
            `${noun} ${decision.key} has used all ${this.rules.maxRounds} review rounds (maxReviewRounds); ${progress.takes.some((take) => take.state === 'ready') ? 'select one of its takes' : 'its last round has no take'}, or finalize with allowUnapproved`,
          );
        rejectCredits += this.rules.takesPerItem * this.rules.takeCredits(decision.key);
      }
    }
    if (rejectCredits > this.rules.remaining())
      throw refused(
        `the new takes need ${rejectCredits} credits; the ${this.rules.workload} budget of ${this.rules.budgetCredits} credits has ${this.rules.remaining()} left`,
      );
    return parsed.data;
  }

  /** Applies validated decisions; answers the items whose next round is to be generated (with the new prompt). */
  applyReview(update: ReviewUpdate): Array<RoomEntry<Item>> {
    const again: Array<RoomEntry<Item>> = [];
    for (const decision of update.decisions) {
      const entry = this.byKey.get(decision.key);
      if (!entry) continue;
      if (decision.action === 'reject') {
        this.reject(entry, decision);
        again.push(entry);
        continue;
      }
      const take = decision.action === 'select' ? decision.take : this.onlyTake(entry).take;
      entry.progress.selectedTake = take;
      entry.progress.state = 'approved';
    }
    return again;
  }

  /** The finalize Update's validator: every item approved, or allowUnapproved with nothing generating. */
  refuseFinalize(raw: FinalizeUpdate): void {
    const parsed = finalizeUpdateSchema.safeParse(raw ?? {});
    if (!parsed.success) throw refused(`invalid finalize: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    this.refuseIfClosed('finalize');
    const { workload, workloadId, noun } = this.rules;
    const generating = this.entries.filter((entry) => entry.progress.state === 'generating');
    if (generating.length > 0)
      throw refused(`cannot finalize ${workload} ${workloadId}: ${this.describe(generating)}; wait for their takes`);
    const unapproved = this.entries.filter((entry) => entry.progress.state !== 'approved');
    if (unapproved.length > 0 && !parsed.data.allowUnapproved) {
      const them = unapproved.length === 1 ? 'it' : 'them';
      throw refused(
        `cannot finalize ${workload} ${workloadId}: ${this.describe(unapproved)} not approved yet; select a take of ${them}, or finalize with allowUnapproved to list ${them} as ${noun === 'segment' ? 'missing' : 'unapproved'}`,
      );
    }
  }

  /** The take an item delivers: the selected one, or (finalized with allowUnapproved) its first finished take. */
  deliveredTake(entry: RoomEntry<Item>, includeUnapproved: boolean): ReviewTake | undefined {
    const { progress } = entry;
    if (progress.selectedTake !== undefined) return progress.takes.find((take) => take.take === progress.selectedTake);
    return includeUnapproved ? progress.takes.find((take) => take.state === 'ready') : undefined;
  }

  /** Items without a selected take. */
  missing(): string[] {
    return this.entries.filter((entry) => entry.progress.state !== 'approved').map((entry) => entry.progress.key);
  }

  view(state: string, creditsSpent: number): ReviewView<Item> {
    const counts = Object.fromEntries(reviewStateSchema.options.map((name) => [name, 0])) as Record<ReviewState, number>;
    for (const entry of this.entries) counts[entry.progress.state] += 1;
    return {
      workloadId: this.rules.workloadId,
      state,
      round: Math.max(...this.entries.map((entry) => entry.progress.round)),
      maxReviewRounds: this.rules.maxRounds,
      takesPerItem: this.rules.takesPerItem,
      pendingDecisions: this.entries.filter((entry) => entry.progress.state === 'awaiting-review').map((entry) => entry.progress.key),
      counts,
      items: this.entries.map((entry) => entry.progress),
      creditsSpent,
      ...(this.reviewDeadline ? { reviewDeadline: this.reviewDeadline } : {}),
    };
  }

  /** The rejected round's takes stay in S3 and in rejectedRounds; the next round asks for the new prompt. */
  private reject(entry: RoomEntry<Item>, decision: Extract<ReviewDecision, { action: 'reject' }>): void {
    const { progress } = entry;
    progress.rejectedRounds.push({
      round: progress.round,
      promptText: progress.promptText,
      rejectedWith: decision.promptText,
      takes: progress.takes,
    });
    progress.takes = [];
    progress.round += 1;
    progress.promptText = decision.promptText;
    progress.state = 'generating';
  }

  private takeToSelect(entry: RoomEntry<Item>, take: number): ReviewTake {
    const { noun } = this.rules;
    const { progress } = entry;
    const found = progress.takes.find((candidate) => candidate.take === take);
    if (!found) {
      const earlier = progress.rejectedRounds.find((round) => round.takes.some((candidate) => candidate.take === take));
      throw refused(
        earlier
          ? `take ${take} of ${noun} ${progress.key} was rejected with round ${earlier.round}; select one of round ${progress.round}'s takes (${this.takesText(entry)})`
          : `${noun} ${progress.key} has no take ${take}: its round ${progress.round} has takes ${this.takesText(entry)}`,
      );
    }
    if (found.state === 'generating')
      throw refused(`take ${take} of ${noun} ${progress.key} is still generating; select it once it is ready`);
    if (found.state === 'failed')
      throw refused(
        `take ${take} of ${noun} ${progress.key} is not finished: it failed (${found.error ?? 'no output'}); select another take or reject the round`,
      );
    return found;
  }

  private onlyTake(entry: RoomEntry<Item>): ReviewTake {
    const { noun } = this.rules;
    const { progress } = entry;
    const ready = progress.takes.filter((take) => take.state === 'ready');
    if (ready.length === 0)
      throw refused(
        `${noun} ${progress.key} has no take to approve (${progress.error ?? 'its takes failed'}); reject it with a new prompt`,
      );
    if (ready.length > 1)
      throw refused(
        `${noun} ${progress.key} has ${ready.length} finished takes (${ready.map((take) => take.take).join(', ')}): select one by its take number`,
      );
    return ready[0]!;
  }

  /** Refuses anything more once the review is closing, ended or cancelled. */
  refuseIfClosed(what: string): void {
    const state = this.cancelled ? 'cancelled' : (this.ended ?? this.closing);
    if (state)
      throw refused(
        `${this.rules.workload} ${this.rules.workloadId} is ${state === 'finalized' && !this.ended ? 'being finalized' : state}; it takes no more ${what}`,
      );
  }

  private takesText(entry: RoomEntry<Item>): string {
    return entry.progress.takes.map((take) => String(take.take)).join(', ') || 'none';
  }

  private describe(entries: Array<RoomEntry<Item>>): string {
    return entries.map((entry) => `${entry.progress.key} (${entry.progress.state})`).join(', ');
  }

  private keysText(): string {
    const keys = this.entries.map((entry) => entry.progress.key);
    return keys.length <= 12 ? keys.join(', ') : `${keys.slice(0, 12).join(', ')} … (${keys.length} ${this.rules.noun}s)`;
  }
}

function refused(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.ReviewRefused, nonRetryable: true, message });
}
