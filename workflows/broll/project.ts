import type {
  BrollProgress,
  EditListSegment,
  ProjectState,
  ResolvedVideoRequest,
  SegmentReview,
  brollWorkflowInputSchema,
} from '../../schemas';
import { editListSegment } from '../../schemas/broll-values';
import { ratioSize, takeName } from '../../schemas/clip-name';
import { requestCredits } from '../../schemas/generation-values';
import { takeSeed } from '../../schemas/review-values';
import type { PlannedGeneration } from '../generation/children';
import type { CreditBook } from '../generation/credit-book';
import { ReviewRoom, type RoomEntry, type TakeToRun } from '../review/room';
import { segmentTakeWorkflowId } from './ids';

type Input = ReturnType<typeof brollWorkflowInputSchema.parse>;
type Plan = Input['segments'][number];

/**
 * A B-roll project in the review room: each segment an item whose takes are generations of the project,
 * the editor's decisions judged by the room's rules, and what the edit list lists once it closes.
 */
export class BrollProject {
  readonly room: ReviewRoom<SegmentReview>;
  private readonly plans = new Map<string, Plan>();
  /** Each segment's request of its current round (a rejected round's new prompt), without a take's seed. */
  private readonly requests = new Map<string, ResolvedVideoRequest>();

  constructor(
    private readonly input: Input,
    private readonly creditBook: CreditBook,
  ) {
    for (const plan of input.segments) {
      this.plans.set(plan.segmentId, plan);
      this.requests.set(plan.segmentId, plan.request);
    }
    this.room = new ReviewRoom<SegmentReview>(
      input.segments.map((plan) => ({
        key: plan.segmentId,
        segmentId: plan.segmentId,
        state: 'generating',
        round: 1,
        promptText: plan.request.promptText ?? '',
        takes: [],
        rejectedRounds: [],
        recordInMs: plan.recordInMs,
        recordOutMs: plan.recordOutMs,
        text: plan.text,
        ...(plan.photo ? { photo: plan.photo.source } : {}),
      })),
      {
        workloadId: input.projectId,
        noun: 'segment',
        workload: 'project',
        takesPerItem: input.takesPerSegment,
        maxRounds: input.maxReviewRounds,
        takeCredits: (key) => requestCredits(this.requests.get(key)!),
        remaining: () => creditBook.remaining(),
        budgetCredits: input.budgetCredits,
        generationId: (key, take) => segmentTakeWorkflowId(input.projectId, key, take),
        seed: (key, take) => (this.plans.get(key)!.seeded ? takeSeed(input.projectId, key, take) : undefined),
        // A segment without a selected take is a gap on the timeline the editor sees.
        gapsAllowed: true,
        unapprovedMeans: (them) => `list ${them} as missing`,
      },
    );
  }

  get entries(): Array<RoomEntry<SegmentReview>> {
    return this.room.entries;
  }

  /**
   * The generation of one take: the segment's current prompt with the take's seed, keyed `s01-t2` in the
   * credit book and the archive, its object named as editors read it. Round 1's fingerprints come with the
   * plan; a later round's are computed (`fingerprint` is the activity that does it).
   */
  async generation(run: TakeToRun, fingerprint: (request: ResolvedVideoRequest) => Promise<string>): Promise<PlannedGeneration> {
    const plan = this.plans.get(run.key)!;
    const base = { ...this.requests.get(run.key)!, promptText: run.promptText };
    const request: ResolvedVideoRequest = run.seed !== undefined ? { ...base, seed: run.seed } : base;
    const planned = run.round === 1 ? plan.takeFingerprints[run.take - 1] : undefined;
    return {
      key: `${run.key}-t${run.take}`,
      request,
      fingerprint: planned ?? (await fingerprint(request)),
      outputName: takeName(this.input.projectId, run.key, run.take),
    };
  }

  /** A rejected round's prompt becomes the segment's request for its next round. */
  promptChanged(key: string, promptText: string): void {
    this.requests.set(key, { ...this.requests.get(key)!, promptText });
  }

  /** The ProjectState search attribute's value now. */
  state(): ProjectState {
    if (this.room.cancelled) return 'cancelled';
    if (this.room.ended) return this.room.ended;
    return this.room.anyGenerating() ? 'generating' : 'awaiting-review';
  }

  progress(): BrollProgress {
    const ratio = this.input.segments[0]!.request.ratio;
    return {
      ...this.room.view(this.state(), this.creditBook.creditsSpent()),
      projectId: this.input.projectId,
      state: this.state(),
      fps: this.input.fps,
      ...(ratio ? { ratio } : {}),
    };
  }

  /**
   * What the edit list lists: selected takes; on finalize with allowUnapproved also a finished take of each
   * segment not yet decided (marked unapproved); past the review deadline only what the editor selected.
   */
  editListSegments(state: 'finalized' | 'review-expired'): EditListSegment[] {
    const size = ratioSize(this.input.segments[0]!.request.ratio ?? '');
    return this.room.entries.map((entry) =>
      editListSegment(
        this.input.projectId,
        entry.progress,
        this.room.deliveredTake(entry, state === 'finalized'),
        entry.progress.state === 'approved' ? 'approved' : 'unapproved',
        size,
      ),
    );
  }
}
