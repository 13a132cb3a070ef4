import { ApplicationFailure } from '@temporalio/workflow';
import {
  FailureType,
  creditsFor,
  finalizeUpdateSchema,
  reviewUpdateSchema,
  segmentStateSchema,
  type BrollProgress,
  type FinalizeUpdate,
  type ProjectState,
  type ResolvedVideoRequest,
  type ReviewDecision,
  type ReviewUpdate,
  type SegmentProgress,
  type SegmentState,
  type brollWorkflowInputSchema,
} from '../schemas';
import type { EditListSegment } from '../activities';
import type { CampaignLedger } from './campaign-ledger';

type Input = ReturnType<typeof brollWorkflowInputSchema.parse>;
type Plan = Input['segments'][number];

/** One segment: its plan, what the progress query shows, and the request its current round generates. */
export interface SegmentSlot {
  plan: Plan;
  progress: SegmentProgress;
  request: ResolvedVideoRequest;
  /** Round 1 has ended (a clip or a failure): the review deadline starts once every segment's has. */
  firstRoundEnded: boolean;
}

const ALL_SEGMENT_STATES: readonly SegmentState[] = segmentStateSchema.options;

/**
 * A B-roll project's state and the rules of the editor's review: which decisions it can take now and
 * why not, kept apart from the workflow's timers and children so every rule reads in one place.
 */
export class BrollProject {
  readonly slots: SegmentSlot[];
  private readonly byId = new Map<string, SegmentSlot>();
  /** Set once a finalize is accepted or the deadline passed (then the final state): decisions are closed. */
  closing: Extract<ProjectState, 'finalized' | 'review-expired'> | undefined;
  cancelled = false;
  ended: Extract<ProjectState, 'finalized' | 'review-expired'> | undefined;
  reviewDeadline: string | undefined;

  constructor(
    private readonly input: Input,
    private readonly ledger: CampaignLedger,
  ) {
    this.slots = input.segments.map((plan) => ({
      plan,
      request: plan.request,
      firstRoundEnded: false,
      progress: {
        segmentId: plan.segmentId,
        state: 'generating',
        round: 1,
        recordInMs: plan.recordInMs,
        recordOutMs: plan.recordOutMs,
        text: plan.text,
        promptText: plan.request.promptText ?? '',
        rejectedClips: [],
      },
    }));
    for (const slot of this.slots) this.byId.set(slot.plan.segmentId, slot);
  }

  /** The ProjectState search attribute's value now. */
  state(): ProjectState {
    if (this.cancelled) return 'cancelled';
    if (this.ended) return this.ended;
    return this.slots.some((slot) => slot.progress.state === 'generating') ? 'generating' : 'awaiting-review';
  }

  everyFirstRoundEnded(): boolean {
    return this.slots.every((slot) => slot.firstRoundEnded);
  }

  progress(): BrollProgress {
    const counts = Object.fromEntries(ALL_SEGMENT_STATES.map((state) => [state, 0])) as Record<SegmentState, number>;
    for (const slot of this.slots) counts[slot.progress.state] += 1;
    return {
      projectId: this.input.projectId,
      state: this.state(),
      round: Math.max(...this.slots.map((slot) => slot.progress.round)),
      maxReviewRounds: this.input.maxReviewRounds,
      counts,
      pendingDecisions: this.slots.filter((slot) => slot.progress.state === 'awaiting-review').map((slot) => slot.plan.segmentId),
      segments: this.slots.map((slot) => slot.progress),
      creditsSpent: this.ledger.progress().creditsSpent,
      ...(this.reviewDeadline ? { reviewDeadline: this.reviewDeadline } : {}),
    };
  }

  /** The review Update's validator: the payload as parsed, or a refusal that names the segment and why. */
  refuseReview(raw: ReviewUpdate): ReviewUpdate {
    const parsed = reviewUpdateSchema.safeParse(raw);
    if (!parsed.success)
      throw refused(
        `invalid review: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'decisions'}: ${issue.message}`).join('; ')}`,
      );
    this.refuseIfClosed('decisions');
    const seen = new Set<string>();
    let rejectCredits = 0;
    for (const decision of parsed.data.decisions) {
      const slot = this.byId.get(decision.segmentId);
      if (!slot) throw refused(`unknown segment "${decision.segmentId}": project ${this.input.projectId} has ${this.segmentIdsText()}`);
      if (seen.has(decision.segmentId)) throw refused(`segment ${decision.segmentId} has two decisions in one review; send one`);
      seen.add(decision.segmentId);
      const { state, round } = slot.progress;
      if (state === 'generating')
        throw refused(`segment ${decision.segmentId} is still generating (round ${round}); decide once its clip is ready`);
      if (decision.action === 'approve' && !slot.progress.clip)
        throw refused(
          `segment ${decision.segmentId} has no clip to approve (${slot.progress.error ?? 'its generation failed'}); reject it with a new prompt`,
        );
      if (decision.action === 'reject') {
        if (round > this.input.maxReviewRounds)
          throw refused(
            `segment ${decision.segmentId} has used all ${this.input.maxReviewRounds} review rounds (maxReviewRounds); approve it or finalize with allowUnapproved`,
          );
        rejectCredits += creditsFor(slot.request.model, slot.request.duration);
      }
    }
    if (rejectCredits > this.ledger.remaining())
      throw refused(
        `the new generations need ${rejectCredits} credits; the project budget of ${this.input.budgetCredits} credits has ${this.ledger.remaining()} left`,
      );
    return parsed.data;
  }

  /** Applies validated decisions; returns the segments to generate again. */
  applyReview(update: ReviewUpdate): SegmentSlot[] {
    const regenerate: SegmentSlot[] = [];
    for (const decision of update.decisions) {
      const slot = this.byId.get(decision.segmentId);
      if (!slot) continue;
      if (decision.action === 'approve') slot.progress.state = 'approved';
      else {
        this.reject(slot, decision);
        regenerate.push(slot);
      }
    }
    return regenerate;
  }

  /** The rejected clip stays in S3 and in rejectedClips; the segment's next round asks for the new prompt. */
  private reject(slot: SegmentSlot, decision: Extract<ReviewDecision, { action: 'reject' }>): void {
    const { progress } = slot;
    if (progress.clip) progress.rejectedClips.push({ ...progress.clip, rejected: { promptText: decision.promptText } });
    delete progress.clip;
    delete progress.error;
    progress.round += 1;
    progress.promptText = decision.promptText;
    progress.state = 'generating';
    slot.request = { ...slot.request, promptText: decision.promptText };
  }

  /** The finalize Update's validator: every segment approved, or allowUnapproved with nothing generating. */
  refuseFinalize(raw: FinalizeUpdate): void {
    const parsed = finalizeUpdateSchema.safeParse(raw ?? {});
    if (!parsed.success) throw refused(`invalid finalize: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    this.refuseIfClosed('finalize');
    const generating = this.slots.filter((slot) => slot.progress.state === 'generating');
    if (generating.length > 0)
      throw refused(`cannot finalize project ${this.input.projectId}: ${this.describe(generating)}; wait for their clips`);
    const unapproved = this.slots.filter((slot) => slot.progress.state !== 'approved');
    if (unapproved.length > 0 && !parsed.data.allowUnapproved)
      throw refused(
        `cannot finalize project ${this.input.projectId}: ${this.describe(unapproved)} not approved yet; approve ${unapproved.length === 1 ? 'it' : 'them'}, or finalize with allowUnapproved to list ${unapproved.length === 1 ? 'it' : 'them'} as missing`,
      );
  }

  /** Segments without an approved clip. */
  missing(): string[] {
    return this.slots.filter((slot) => slot.progress.state !== 'approved').map((slot) => slot.plan.segmentId);
  }

  /**
   * What the edit list lists: approved clips; on finalize with allowUnapproved also the clips still awaiting
   * review (marked unapproved); past the review deadline only what the editor approved.
   */
  editListSegments(state: 'finalized' | 'review-expired'): EditListSegment[] {
    return this.slots.map((slot) => {
      const { progress } = slot;
      const approved = progress.state === 'approved';
      const listed = progress.clip && (approved || state === 'finalized') ? progress.clip : undefined;
      return {
        segmentId: progress.segmentId,
        recordInMs: progress.recordInMs,
        recordOutMs: progress.recordOutMs,
        text: progress.text,
        promptText: progress.promptText,
        round: progress.round,
        approval: listed ? (approved ? 'approved' : 'unapproved') : 'missing',
        ...(listed ? { clip: { key: listed.key, sha256: listed.sha256, durationSeconds: listed.durationSeconds } } : {}),
      };
    });
  }

  private refuseIfClosed(what: string): void {
    const state = this.cancelled ? 'cancelled' : (this.ended ?? this.closing);
    if (state)
      throw refused(
        `project ${this.input.projectId} is ${state === 'finalized' && !this.ended ? 'being finalized' : state}; it takes no more ${what}`,
      );
  }

  private describe(slots: SegmentSlot[]): string {
    return slots.map((slot) => `${slot.plan.segmentId} (${slot.progress.state})`).join(', ');
  }

  private segmentIdsText(): string {
    const ids = this.slots.map((slot) => slot.plan.segmentId);
    return ids.length <= 12 ? ids.join(', ') : `${ids.slice(0, 12).join(', ')} … (${ids.length} segments)`;
  }
}

function refused(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.ReviewRefused, nonRetryable: true, message });
}
