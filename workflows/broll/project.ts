import { ApplicationFailure } from '@temporalio/workflow';
import {
  FailureType,
  creditsFor,
  finalizeUpdateSchema,
  reviewUpdateSchema,
  segmentStateSchema,
  type BrollProgress,
  type EditListSegment,
  type FinalizeUpdate,
  type ProjectState,
  type ResolvedVideoRequest,
  type ReviewDecision,
  type ReviewUpdate,
  type SegmentProgress,
  type SegmentState,
  type brollWorkflowInputSchema,
} from '../../schemas';
import type { CreditBook } from '../generation/credit-book';

type Input = ReturnType<typeof brollWorkflowInputSchema.parse>;
type Plan = Input['segments'][number];

/** One segment of the project: its plan, what the progress query shows, and the request its current round generates. */
export interface ProjectSegment {
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
  readonly segments: ProjectSegment[];
  private readonly byId = new Map<string, ProjectSegment>();
  /** Set once a finalize is accepted or the deadline passed (then the final state): decisions are closed. */
  closing: Extract<ProjectState, 'finalized' | 'review-expired'> | undefined;
  cancelled = false;
  ended: Extract<ProjectState, 'finalized' | 'review-expired'> | undefined;
  reviewDeadline: string | undefined;

  constructor(
    private readonly input: Input,
    private readonly creditBook: CreditBook,
  ) {
    this.segments = input.segments.map((plan) => ({
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
    for (const segment of this.segments) this.byId.set(segment.plan.segmentId, segment);
  }

  /** The ProjectState search attribute's value now. */
  state(): ProjectState {
    if (this.cancelled) return 'cancelled';
    if (this.ended) return this.ended;
    return this.segments.some((segment) => segment.progress.state === 'generating') ? 'generating' : 'awaiting-review';
  }

  everyFirstRoundEnded(): boolean {
    return this.segments.every((segment) => segment.firstRoundEnded);
  }

  progress(): BrollProgress {
    const counts = Object.fromEntries(ALL_SEGMENT_STATES.map((state) => [state, 0])) as Record<SegmentState, number>;
    for (const segment of this.segments) counts[segment.progress.state] += 1;
    return {
      projectId: this.input.projectId,
      state: this.state(),
      round: Math.max(...this.segments.map((segment) => segment.progress.round)),
      maxReviewRounds: this.input.maxReviewRounds,
      counts,
      pendingDecisions: this.segments
        .filter((segment) => segment.progress.state === 'awaiting-review')
        .map((segment) => segment.plan.segmentId),
      segments: this.segments.map((segment) => segment.progress),
      creditsSpent: this.creditBook.creditsSpent(),
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
      const segment = this.byId.get(decision.segmentId);
      if (!segment) throw refused(`unknown segment "${decision.segmentId}": project ${this.input.projectId} has ${this.segmentIdsText()}`);
      if (seen.has(decision.segmentId)) throw refused(`segment ${decision.segmentId} has two decisions in one review; send one`);
      seen.add(decision.segmentId);
      const { state, round } = segment.progress;
      if (state === 'generating')
        throw refused(`segment ${decision.segmentId} is still generating (round ${round}); decide once its clip is ready`);
      if (decision.action === 'approve' && !segment.progress.clip)
        throw refused(
          `segment ${decision.segmentId} has no clip to approve (${segment.progress.error ?? 'its generation failed'}); reject it with a new prompt`,
        );
      if (decision.action === 'reject') {
        if (round > this.input.maxReviewRounds)
          throw refused(
            `segment ${decision.segmentId} has used all ${this.input.maxReviewRounds} review rounds (maxReviewRounds); approve it or finalize with allowUnapproved`,
          );
        rejectCredits += creditsFor(segment.request.model, segment.request.duration);
      }
    }
    if (rejectCredits > this.creditBook.remaining())
      throw refused(
        `the new generations need ${rejectCredits} credits; the project budget of ${this.input.budgetCredits} credits has ${this.creditBook.remaining()} left`,
      );
    return parsed.data;
  }

  /** Applies validated decisions; returns the segments to generate again. */
  applyReview(update: ReviewUpdate): ProjectSegment[] {
    const regenerate: ProjectSegment[] = [];
    for (const decision of update.decisions) {
      const segment = this.byId.get(decision.segmentId);
      if (!segment) continue;
      if (decision.action === 'approve') segment.progress.state = 'approved';
      else {
        this.reject(segment, decision);
        regenerate.push(segment);
      }
    }
    return regenerate;
  }

  /** The rejected clip stays in S3 and in rejectedClips; the segment's next round asks for the new prompt. */
  private reject(segment: ProjectSegment, decision: Extract<ReviewDecision, { action: 'reject' }>): void {
    const { progress } = segment;
    if (progress.clip) progress.rejectedClips.push({ ...progress.clip, rejected: { promptText: decision.promptText } });
    delete progress.clip;
    delete progress.error;
    progress.round += 1;
    progress.promptText = decision.promptText;
    progress.state = 'generating';
    segment.request = { ...segment.request, promptText: decision.promptText };
  }

  /** The finalize Update's validator: every segment approved, or allowUnapproved with nothing generating. */
  refuseFinalize(raw: FinalizeUpdate): void {
    const parsed = finalizeUpdateSchema.safeParse(raw ?? {});
    if (!parsed.success) throw refused(`invalid finalize: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    this.refuseIfClosed('finalize');
    const generating = this.segments.filter((segment) => segment.progress.state === 'generating');
    if (generating.length > 0)
      throw refused(`cannot finalize project ${this.input.projectId}: ${this.describe(generating)}; wait for their clips`);
    const unapproved = this.segments.filter((segment) => segment.progress.state !== 'approved');
    if (unapproved.length > 0 && !parsed.data.allowUnapproved)
      throw refused(
        `cannot finalize project ${this.input.projectId}: ${this.describe(unapproved)} not approved yet; approve ${unapproved.length === 1 ? 'it' : 'them'}, or finalize with allowUnapproved to list ${unapproved.length === 1 ? 'it' : 'them'} as missing`,
      );
  }

  /** Segments without an approved clip. */
  missing(): string[] {
    return this.segments.filter((segment) => segment.progress.state !== 'approved').map((segment) => segment.plan.segmentId);
  }

  /**
   * What the edit list lists: approved clips; on finalize with allowUnapproved also the clips still awaiting
   * review (marked unapproved); past the review deadline only what the editor approved.
   */
  editListSegments(state: 'finalized' | 'review-expired'): EditListSegment[] {
    return this.segments.map((segment) => {
      const { progress } = segment;
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

  private describe(segments: ProjectSegment[]): string {
    return segments.map((segment) => `${segment.plan.segmentId} (${segment.progress.state})`).join(', ');
  }

  private segmentIdsText(): string {
    const ids = this.segments.map((segment) => segment.plan.segmentId);
    return ids.length <= 12 ? ids.join(', ') : `${ids.slice(0, 12).join(', ')} … (${ids.length} segments)`;
  }
}

function refused(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.ReviewRefused, nonRetryable: true, message });
}
