import { requestFingerprint } from '../../infra/request-fingerprint';
import {
  creditsFor,
  generationOptionsInputSchema,
  requestCredits,
  resolveGenerationOptions,
  type ExplainerWorkflowInput,
  type GenerationOptionsInput,
  type ResolvedVideoRequest,
} from '../../schemas';
import { FAST_OPTIONS } from './product';
import { testStack } from './stack';

/** Clip lengths of the hand-built chunks, seconds: every gen4.5 length from 2 to 5 s. */
export const EXPLAINER_CLIP_SECONDS = [2, 3, 4, 5, 3, 2];

const NARRATION = [
  'Cells are the smallest units of life.',
  'Each cell is wrapped in a thin membrane.',
  'Inside, the nucleus keeps the instructions for the cell.',
  'Mitochondria turn food into the energy the cell can use.',
  'When a cell grows, it copies itself.',
  'Two cells now stand where one was.',
];

/**
 * A planned explainer made by hand (the planner is not needed to test the workflow): 6 chunks, gen4.5
 * text-to-video 1280:720 clips of 2–5 s, eleven_multilingual_v2 voiceovers with a catalog voice.
 * `clipPrompt` may replace a chunk's clip prompt (e.g. with the simulator's moderation term); `review`
 * has a teacher review the chunks before the assembly.
 */
export function explainerInput(
  explainerId: string,
  extra: {
    chunks?: number;
    clipPrompt?: (index: number) => string | undefined;
    narration?: (index: number) => string | undefined;
    options?: GenerationOptionsInput;
    budgetCredits?: number;
    taskQueue?: string;
    review?: boolean;
    maxReviewRounds?: number;
  } = {},
): ExplainerWorkflowInput {
  const count = extra.chunks ?? 6;
  return {
    explainerId,
    archive: { bucket: testStack().s3.bucket, prefix: 'explainers/' },
    options: resolveGenerationOptions(generationOptionsInputSchema.parse({ ...FAST_OPTIONS, ...extra.options })),
    ...(extra.budgetCredits !== undefined ? { budgetCredits: extra.budgetCredits } : {}),
    ...(extra.taskQueue !== undefined ? { taskQueue: extra.taskQueue } : {}),
    ...(extra.review !== undefined ? { review: extra.review } : {}),
    ...(extra.maxReviewRounds !== undefined ? { maxReviewRounds: extra.maxReviewRounds } : {}),
    chunks: Array.from({ length: count }, (_, index) => {
      const text = extra.narration?.(index) ?? NARRATION[index % NARRATION.length]!;
      const duration = EXPLAINER_CLIP_SECONDS[index % EXPLAINER_CLIP_SECONDS.length]!;
      const clip: ResolvedVideoRequest = {
        model: 'gen4.5',
        promptText: extra.clipPrompt?.(index) ?? `clean flat illustration, soft pastel colours: ${text}`,
        ratio: '1280:720',
        duration,
      };
      const voiceover = { kind: 'speech' as const, model: 'eleven_multilingual_v2' as const, promptText: text, voice: 'Maya' };
      return {
        chunkId: chunkId(index),
        paragraph: Math.floor(index / 2) + 1,
        text,
        spokenMs: Math.round((text.split(/\s+/).length / 2.5) * 1000),
        clip: { request: clip, fingerprint: requestFingerprint(clip), estimatedCredits: creditsFor('gen4.5', duration) },
        voiceover: { request: voiceover, fingerprint: requestFingerprint(voiceover), estimatedCredits: requestCredits(voiceover) },
      };
    }),
  };
}

export function chunkId(index: number): string {
  return `c${String(index + 1).padStart(2, '0')}`;
}
