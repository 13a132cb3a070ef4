import type {
  ChunkReview,
  ExplainerProgress,
  ExplainerState,
  ResolvedGenerationRequest,
  explainerWorkflowInputSchema,
} from '../../schemas';
import { requestCredits } from '../../schemas/generation-values';
import { spoken, wordCount } from '../../schemas/narration';
import type { AssemblyChunk } from '../../schemas/assembly';
import { chunkGenerationKey, chunkWorkflowId } from './ids';
import { ReviewRoom, type RoomEntry, type TakeToRun, type VoiceoverToRun } from '../review/room';
import type { GenerationStates } from '../generation/states';
import type { CreditBook } from '../generation/credit-book';
import type { PlannedGeneration } from '../generation/children';

/**
 * An explainer in the review room: each chunk an item whose clip is a take (one a round: a rejected clip's
 * new prompt is the chunk's next round) and whose voiceover a teacher may have redone with new text, which
 * becomes the chunk's narration and caption. Without review the room still keeps the chunks: the workflow
 * delivers each one's first take, and the room takes no decisions.
 */
export class ExplainerLesson {
  readonly room: ReviewRoom<ChunkReview>;
  /** Each chunk's plan: its narration, its first clip and voiceover as the client planned them. */
  private readonly plans: ReadonlyMap<string, ExplainerInput['chunks'][number]>;

  constructor(
    private readonly input: ExplainerInput,
    private readonly creditBook: CreditBook,
  ) {
    this.plans = new Map(input.chunks.map((chunk) => [chunk.chunkId, chunk]));
    this.room = new ReviewRoom<ChunkReview>(
      input.chunks.map((chunk) => ({
        key: chunk.chunkId,
        chunkId: chunk.chunkId,
        paragraph: chunk.paragraph,
        text: chunk.text,
        clipSeconds: chunk.clip.request.duration,
        state: 'generating',
        round: 1,
        promptText: chunk.clip.request.promptText ?? '',
        takes: [],
        rejectedRounds: [],
        voiceover: {
          take: 1,
          state: 'generating',
          generationId: chunkWorkflowId(input.explainerId, chunk.chunkId, 'voice'),
          text: chunk.text,
          credits: 0,
          replaced: [],
        },
      })),
      {
        workloadId: input.explainerId,
        noun: 'chunk',
        workload: 'explainer',
        takesPerItem: 1,
        maxRounds: input.maxReviewRounds,
        takeCredits: (key) => requestCredits(this.plans.get(key)!.clip.request),
        remaining: () => creditBook.remaining(),
        budgetCredits: input.budgetCredits,
        generationId: (key, take) => chunkWorkflowId(input.explainerId, key, 'clip', take),
        // One take a round: nothing to tell takes apart by.
        seed: () => undefined,
        reviewed: input.review,
        // Every chunk is narrated: the lesson cannot be assembled with one missing.
        gapsAllowed: false,
        unapprovedMeans: (_them, their) => `assemble ${their} current clip and voiceover`,
        narration: {
          generationId: (key, take) => chunkWorkflowId(input.explainerId, key, 'voice', take),
          credits: (key, text) => requestCredits(this.voiceoverRequest(key, text)),
          refuseText: (key, text) => this.refuseNarration(key, text),
        },
      },
    );
  }

  /** A clip take: the chunk's current prompt, keyed `c01--clip` (take 1) or `c01--clip--t2`; round 1's fingerprint comes with the plan. */
  async clipGeneration(run: TakeToRun, fingerprint: (request: ResolvedGenerationRequest) => Promise<string>): Promise<PlannedGeneration> {
    const plan = this.plans.get(run.key)!;
    const request = { ...plan.clip.request, promptText: run.promptText };
    return {
      key: chunkGenerationKey(run.key, 'clip', run.take),
      request,
      fingerprint: run.take === 1 ? plan.clip.fingerprint : await fingerprint(request),
    };
  }

  /** A voiceover take: the chunk's narration now, keyed `c01--voice` (take 1) or `c01--voice--t2`. */
  async voiceoverGeneration(
    run: VoiceoverToRun,
    fingerprint: (request: ResolvedGenerationRequest) => Promise<string>,
  ): Promise<PlannedGeneration> {
    const plan = this.plans.get(run.key)!;
    const request = this.voiceoverRequest(run.key, run.text);
    return {
      key: chunkGenerationKey(run.key, 'voice', run.take),
      request,
      fingerprint: run.take === 1 ? plan.voiceover.fingerprint : await fingerprint(request),
    };
  }

  /** The chunk's narration is its voiceover's text: its caption follows a redo. */
  narrationChanged(entry: RoomEntry<ChunkReview>): void {
    entry.progress.text = entry.progress.voiceover.text;
  }

  /** The explainer's state now (its ProjectState search attribute), given where the workflow is after the review. */
  state(after: 'assembling' | 'done' | 'failed' | undefined): ExplainerState {
    if (this.room.cancelled) return 'cancelled';
    if (after) return after;
    return this.room.anyGenerating() || !this.input.review ? 'generating' : 'awaiting-review';
  }

  progress(state: ExplainerState, states: GenerationStates): ExplainerProgress {
    const stateOf = (key: string) => states.stateOf(key) ?? 'waiting';
    return {
      ...this.room.view(state, this.creditBook.creditsSpent()),
      explainerId: this.input.explainerId,
      state,
      review: this.input.review,
      chunks: this.room.entries.map(({ progress: chunk }) => {
        const take = chunk.takes.at(-1);
        const errors = [
          ...(take?.state === 'failed' ? [`clip: ${take.error ?? 'failed'}`] : []),
          ...(chunk.voiceover.state === 'failed' ? [`voiceover: ${chunk.voiceover.error ?? 'failed'}`] : []),
        ];
        return {
          chunkId: chunk.chunkId,
          text: chunk.text,
          clip: stateOf(chunkGenerationKey(chunk.chunkId, 'clip', take?.take ?? chunk.round)),
          voiceover: stateOf(chunkGenerationKey(chunk.chunkId, 'voice', chunk.voiceover.take)),
          ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
        };
      }),
      done: states.done(),
      total: states.total,
    };
  }

  /** What the assembly cuts together: each chunk's delivered clip and its voiceover, captioned with its narration. */
  assemblyChunks(includeUnapproved: boolean): AssemblyChunk[] {
    return this.room.entries.map((entry) => {
      const clip = this.room.deliveredTake(entry, includeUnapproved)!.output!;
      const voiceover = entry.progress.voiceover.output!;
      return {
        clip: { bucket: clip.bucket, key: clip.key, sha256: clip.sha256, bytes: clip.bytes },
        voiceover: { bucket: voiceover.bucket, key: voiceover.key, sha256: voiceover.sha256, bytes: voiceover.bytes },
        text: entry.progress.text,
      };
    });
  }

  private voiceoverRequest(key: string, text: string): ResolvedGenerationRequest {
    return { ...this.plans.get(key)!.voiceover.request, promptText: text };
  }

  /** New narration must be said within the chunk's clip at the explainer's pace, or it would run over the next chunk. */
  private refuseNarration(key: string, text: string): string | undefined {
    const clipSeconds = this.plans.get(key)!.clip.request.duration;
    const words = wordCount(text);
    if (words === 0) return 'the new narration has no words to say';
    const spokenMs = spoken(words, this.input.wordsPerSecond);
    if (spokenMs <= clipSeconds * 1000) return undefined;
    return `the new narration (${words} words) takes ${(spokenMs / 1000).toFixed(1)} s to say at ${this.input.wordsPerSecond} words/s, longer than its ${clipSeconds} s clip: say it in at most ${Math.floor(clipSeconds * this.input.wordsPerSecond)} words`;
  }
}

type ExplainerInput = ReturnType<typeof explainerWorkflowInputSchema.parse>;
