import { ApplicationFailure } from '@temporalio/workflow';
import type {
  FinalizeUpdate,
  ReviewDecision,
  ReviewItemProgress,
  ReviewState,
  ReviewTake,
  ReviewUpdate,
  ReviewView,
  ReviewVoiceover,
  TakeOutput,
} from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { REVIEW_STATES } from '../../schemas/review-values';
import { workloadSchemas } from '../workload-schemas';

/**
 * The review room: every workload that asks a person to decide on its generations (B-roll segments,
 * explainer chunks) keeps its items here. An item is generated in rounds of takes; the reviewer selects
 * one take (approve, when there is one), or rejects the round with a new prompt, which is the item's next
 * round. A narrated item (an explainer chunk) also has a voiceover the reviewer may have made again from
 * new text. The room holds the rules (what a decision may do now, and why not, in words that name the item
 * and the take) and the state the review query shows; the workload's workflow runs the takes and
 * voiceovers through the generation core and tells the room how each ended. Deterministic: no I/O, no clock.
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
  /** False for a workload that runs without review (an explainer without `review: true`): it takes no decisions. */
  reviewed?: boolean;
  /**
   * Whether finalizing with allowUnapproved may leave out an item that has nothing to deliver (B-roll: a gap
   * on the timeline); an explainer cannot be assembled without every chunk's clip and voiceover.
   */
  gapsAllowed: boolean;
  /** What finalizing with allowUnapproved does with the unapproved ("list them as missing", "assemble their current clip"). */
  unapprovedMeans(them: string, their: string): string;
  /** Narrated items: a voiceover take's generation id, the credits of new text, and why new text is refused (undefined: accepted). */
  narration?: {
    generationId(key: string, take: number): string;
    credits(key: string, text: string): number;
    refuseText(key: string, text: string): string | undefined;
  };
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

/** A voiceover take the workload is to generate now. */
export interface VoiceoverToRun {
  key: string;
  take: number;
  generationId: string;
  text: string;
}

/** How a take or a voiceover ended: with its output, or its error. */
export type TakeEnd = { output: TakeOutput; credits: number } | { error: string; credits: number };

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

  /** A narrated item's current voiceover as the workload runs it (take 1, the plan's text, is generating from the start). */
  currentVoiceover(entry: RoomEntry<Item>): VoiceoverToRun {
    const voiceover = entry.progress.voiceover!;
    return { key: entry.progress.key, take: voiceover.take, generationId: voiceover.generationId, text: voiceover.text };
  }

  /**
   * A narrated item's voiceover made again from the reviewer's text (its next take), marked generating: the
   * workload starts it. An approval is taken back, since it was given to other narration.
   */
  private redoVoiceover(entry: RoomEntry<Item>, text: string): VoiceoverToRun {
    const { progress } = entry;
    const earlier = progress.voiceover!;
    const take = earlier.take + 1;
    const { replaced, ...before } = earlier;
    progress.voiceover = {
      take,
      state: 'generating',
      generationId: this.rules.narration!.generationId(progress.key, take),
      text,
      credits: 0,
      replaced: [
        ...replaced,
        {
          take: before.take,
          text: before.text,
          ...(before.output ? { output: before.output } : {}),
          ...(before.error ? { error: before.error } : {}),
        },
      ],
    };
    progress.state = 'generating';
    delete progress.error;
    delete progress.selectedTake;
    return this.currentVoiceover(entry);
  }

  /** A take ended: with its output, or its error. The round ends when its last take does. */
  takeEnded(key: string, take: number, outcome: TakeEnd): void {
    const entry = this.byKey.get(key);
    const found = entry?.progress.takes.find((candidate) => candidate.take === take);
    if (!entry || !found) return;
    ended(found, outcome);
    this.settle(entry);
  }

  /** A voiceover take ended: with its output, or its error. */
  voiceoverEnded(key: string, take: number, outcome: TakeEnd): void {
    const entry = this.byKey.get(key);
    const voiceover = entry?.progress.voiceover;
    if (!entry || voiceover?.take !== take) return;
    ended(voiceover, outcome);
    this.settle(entry);
  }

  /** Once nothing of the item is generating: awaiting review, or failed (no take finished, or its voiceover failed). */
  private settle(entry: RoomEntry<Item>): void {
    const { progress } = entry;
    if (progress.takes.some((candidate) => candidate.state === 'generating') || progress.voiceover?.state === 'generating') return;
    entry.firstRoundEnded = true;
    const problems: string[] = [];
    if (!progress.takes.some((candidate) => candidate.state === 'ready'))
      problems.push(progress.takes.map((candidate) => `take ${candidate.take}: ${candidate.error ?? 'failed'}`).join('; '));
    if (progress.voiceover?.state === 'failed')
      problems.push(`voiceover take ${progress.voiceover.take}: ${progress.voiceover.error ?? 'failed'}`);
    if (problems.length === 0) {
      delete progress.error;
      progress.state = progress.selectedTake !== undefined ? 'approved' : 'awaiting-review';
    } else {
      progress.state = 'failed';
      progress.error = problems.join('; ');
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
    const parsed = workloadSchemas().reviewUpdateSchema.safeParse(raw);
    if (!parsed.success) throw refused(`invalid review: ${this.issuesText(raw, parsed.error.issues)}`);
    this.refuseIfClosed('decisions');
    const { noun } = this.rules;
    const seen = new Set<string>();
    let newCredits = 0;
    for (const decision of parsed.data.decisions) {
      const entry = this.byKey.get(decision.key);
      if (!entry)
        throw refused(`unknown ${noun} "${decision.key}": ${this.rules.workload} ${this.rules.workloadId} has ${this.keysText()}`);
      if (seen.has(decision.key)) throw refused(`${noun} ${decision.key} has two decisions in one review; send one`);
      seen.add(decision.key);
      const { progress } = entry;
      if (progress.state === 'generating')
        throw refused(
          progress.voiceover?.state === 'generating' &&
            progress.takes.length > 0 &&
            !progress.takes.some((take) => take.state === 'generating')
            ? `${noun} ${decision.key} is still generating (voiceover take ${progress.voiceover.take}); decide once it is ready`
            : `${noun} ${decision.key} is still generating (round ${progress.round}); decide once its takes are ready`,
        );
      if (decision.action === 'select' || decision.action === 'approve') {
        if (decision.action === 'select') this.takeToSelect(entry, decision.take);
        else this.onlyTake(entry);
        if (progress.voiceover?.state === 'failed')
          throw refused(
            `${noun} ${decision.key}'s voiceover failed (${progress.voiceover.error ?? 'no audio'}); redo it with new text before approving`,
          );
      }
      if (decision.action === 'reject') {
        // maxReviewRounds counts the rounds a reviewer may ask for after the first.
        if (progress.round > this.rules.maxRounds)
          throw refused(
            `${noun} ${decision.key} has used all ${this.rules.maxRounds} review rounds (maxReviewRounds); ${progress.takes.some((take) => take.state === 'ready') ? 'select one of its takes' : 'its last round has no take'}, or finalize with allowUnapproved`,
          );
        newCredits += this.rules.takesPerItem * this.rules.takeCredits(decision.key);
      }
      if (decision.action === 'revoice') newCredits += this.narrationCredits(entry, decision.text);
    }
    if (newCredits > this.rules.remaining())
      throw refused(
        `the new takes need ${newCredits} credits; the ${this.rules.workload} budget of ${this.rules.budgetCredits} credits has ${this.rules.remaining()} left`,
      );
    return parsed.data;
  }

  /** A voiceover redo's checks (a narrated item, redos left, text the workload takes); its credits. */
  private narrationCredits(entry: RoomEntry<Item>, text: string): number {
    const { noun, narration, maxRounds } = this.rules;
    const { progress } = entry;
    if (!narration || !progress.voiceover) throw refused(`${noun} ${progress.key} has no voiceover to redo`);
    if (progress.voiceover.take > maxRounds)
      throw refused(
        `${noun} ${progress.key}'s voiceover has been redone ${maxRounds} times (maxReviewRounds); approve it as it is, or finalize with allowUnapproved`,
      );
    const refusal = narration.refuseText(progress.key, text);
    if (refusal) throw refused(`${noun} ${progress.key}: ${refusal}`);
    return narration.credits(progress.key, text);
  }

  /**
   * Applies validated decisions; answers the items whose next round is to be generated (with the new
   * prompt), and the voiceovers to be made again (with the new text).
   */
  applyReview(update: ReviewUpdate): { rounds: Array<RoomEntry<Item>>; voiceovers: VoiceoverToRun[] } {
    const rounds: Array<RoomEntry<Item>> = [];
    const voiceovers: VoiceoverToRun[] = [];
    for (const decision of update.decisions) {
      const entry = this.byKey.get(decision.key);
      if (!entry) continue;
      if (decision.action === 'reject') {
        this.reject(entry, decision);
        rounds.push(entry);
        continue;
      }
      if (decision.action === 'revoice') {
        voiceovers.push(this.redoVoiceover(entry, decision.text));
        continue;
      }
      const take = decision.action === 'select' ? decision.take : this.onlyTake(entry).take;
      entry.progress.selectedTake = take;
      entry.progress.state = 'approved';
    }
    return { rounds, voiceovers };
  }

  /** The finalize Update's validator: every item approved, or allowUnapproved with nothing generating. */
  refuseFinalize(raw: FinalizeUpdate): void {
    const parsed = workloadSchemas().finalizeUpdateSchema.safeParse(raw ?? {});
    if (!parsed.success) throw refused(`invalid finalize: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    this.refuseIfClosed('finalize');
    const { workload, workloadId, noun } = this.rules;
    const generating = this.entries.filter((entry) => entry.progress.state === 'generating');
    if (generating.length > 0)
      throw refused(`cannot finalize ${workload} ${workloadId}: ${this.describe(generating)}; wait for their takes`);
    const unapproved = this.entries.filter((entry) => entry.progress.state !== 'approved');
    const them = unapproved.length === 1 ? 'it' : 'them';
    const their = unapproved.length === 1 ? 'its' : 'their';
    if (unapproved.length > 0 && !parsed.data.allowUnapproved)
      throw refused(
        `cannot finalize ${workload} ${workloadId}: ${this.describe(unapproved)} not approved yet; select a take of ${them}, or finalize with allowUnapproved to ${this.rules.unapprovedMeans(them, their)}`,
      );
    const undeliverable = this.rules.gapsAllowed ? [] : unapproved.filter((entry) => entry.progress.state === 'failed');
    if (undeliverable.length > 0)
      throw refused(
        `cannot finalize ${workload} ${workloadId}: ${undeliverable.map((entry) => `${noun} ${entry.progress.key} has nothing to deliver (${entry.progress.error ?? 'failed'})`).join('; ')}; reject ${undeliverable.length === 1 ? 'it' : 'them'} with a new prompt or redo the voiceover`,
      );
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
    const counts = Object.fromEntries(REVIEW_STATES.map((name) => [name, 0])) as Record<ReviewState, number>;
    for (const entry of this.entries) counts[entry.progress.state] += 1;
    return {
      workloadId: this.rules.workloadId,
      state,
      open: this.openState() === undefined,
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

  /** Refuses anything more once the review is closing, ended or cancelled, and everything when the workload is not reviewed. */
  refuseIfClosed(what: string): void {
    const { workload, workloadId } = this.rules;
    if (this.rules.reviewed === false)
      throw refused(
        `${workload} ${workloadId} is not reviewed (review: false): it takes no ${what}, and delivers once everything is generated`,
      );
    const state = this.openState();
    if (state) throw refused(`${workload} ${workloadId} is ${state}; it takes no more ${what}`);
  }

  /** Why the room takes no decisions now, or undefined while it does. */
  private openState(): string | undefined {
    if (this.rules.reviewed === false) return 'not reviewed';
    const state = this.cancelled ? 'cancelled' : (this.ended ?? this.closing);
    return state === 'finalized' && !this.ended ? 'being finalized' : state;
  }

  /** A malformed decision named by its item where it has one: "chunk c02: the new narration must not be empty". */
  private issuesText(raw: unknown, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
    const decisions = (raw as { decisions?: unknown } | undefined)?.decisions;
    return issues
      .map((issue) => {
        const [field, index, ...rest] = issue.path;
        const key = field === 'decisions' && typeof index === 'number' && Array.isArray(decisions) ? decisions[index]?.key : undefined;
        if (typeof key === 'string' && key !== '') return `${this.rules.noun} ${key}: ${issue.message}`;
        return `${[field, index, ...rest].filter((part) => part !== undefined).join('.') || 'decisions'}: ${issue.message}`;
      })
      .join('; ');
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

/** A take or a voiceover as it ended. */
function ended(generation: ReviewTake | ReviewVoiceover, outcome: TakeEnd): void {
  generation.credits = outcome.credits;
  if ('output' in outcome) {
    generation.state = 'ready';
    generation.output = outcome.output;
  } else {
    generation.state = 'failed';
    generation.error = outcome.error;
  }
}

/** The review Update's refusal: the reviewer reads exactly why. */
function refused(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.ReviewRefused, nonRetryable: true, message });
}
