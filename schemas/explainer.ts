import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { generationOptionsInputSchema, generationOptionsSchema } from './options';
import { strictObject } from './strict-object';
import { resolvedSpeechRequestSchema, resolvedVideoRequestSchema } from './generation';
import type { AssembledExplainer, ScormPackageRecord } from './assembly';
import type { GenerationError } from './generation';
import type { ReviewItemProgress, ReviewView, ReviewVoiceover } from './review';

/**
 * Explainer videos: a lesson script cut into chunks that can be spoken in about 5 s, a clip and a
 * voiceover per chunk (both through the one generation workflow), reviewed by a teacher in the review
 * room when asked (`review: true`), assembled with ffmpeg into one narrated MP4. These schemas are the
 * contract between the explainer file, the planner (client), the ExplainerWorkflow, the review page and
 * the assembly activity (schemas/assembly.ts).
 */

/** The explainer file (JSON or YAML). */
export const explainerFileSchema = strictObject({
  explainerId: idSchema('explainerId'),
  /** The lesson: Markdown or plain text, inline, or a path (relative to the file) ending in .md or .txt. */
  script: z.union([z.string().min(1, 'script must not be empty'), strictObject({ path: z.string().min(1) })]),
  brief: strictObject({
    model: z.string(),
    ratio: z.string(),
    /** The look of every clip, e.g. "clean flat illustration, soft pastel colours". */
    style: z.string().min(1).max(300),
    /** A Runway voice preset id (the catalog's speech voices). */
    voice: z.string().min(1),
    speechModel: z.string().default('eleven_multilingual_v2'),
    /** The narrator's pace: how much text one chunk may hold. */
    wordsPerSecond: z.number().positive().max(6).default(2.5),
    /** The chunk length to aim for, seconds. */
    targetChunkSeconds: z.number().positive().max(10).default(5),
    /**
     * The style reference image: a local file (relative to the explainer file) or an https URL. Every
     * chunk's clip starts from it (image_to_video), unless its paragraph gives an image of its own.
     */
    styleImage: z.string().min(1).optional(),
    /** The narration's language (BCP 47): the SCORM player's page and captions track. */
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'language must be a BCP 47 tag such as en or pt-BR')
      .default('en'),
  }),
  /** A visual cue (a prompt) or an image per paragraph, by paragraph number (1-based). */
  visuals: z.record(z.string(), strictObject({ promptText: z.string().min(1).optional(), promptImage: z.string().optional() })).default({}),
  /**
   * A teacher reviews every chunk before assembly: approves its clip, or rejects it with a new prompt (a new
   * clip), and may have its voiceover redone with new text; a failed chunk then waits for that instead of
   * failing the explainer. The explainer is assembled when the review is finalized.
   */
  review: z.boolean().default(false),
  archive: strictObject({ bucket: bucketSchema.optional(), prefix: keyPrefixSchema.optional() }).default({}),
  options: generationOptionsInputSchema
    .extend({
      burnSubtitles: z.boolean().optional(),
      /** How many times a chunk's clip may be rejected (and its voiceover redone) after the first. */
      maxReviewRounds: z.number().int().min(1).max(20).optional(),
    })
    .default({}),
});
export type ExplainerFileInput = z.input<typeof explainerFileSchema>;
export type ExplainerFile = z.output<typeof explainerFileSchema>;

/** One planned chunk: its narration, the clip and the voiceover it asks for. */
export const explainerChunkPlanSchema = z.object({
  chunkId: idSchema('chunkId'),
  paragraph: z.number().int().positive(),
  text: z.string().min(1),
  /** How long the narration takes at the brief's pace, ms. */
  spokenMs: z.number().int().positive(),
  clip: z.object({ request: resolvedVideoRequestSchema, fingerprint: z.string(), estimatedCredits: z.number().nonnegative() }),
  voiceover: z.object({ request: resolvedSpeechRequestSchema, fingerprint: z.string(), estimatedCredits: z.number().nonnegative() }),
});

/** The ExplainerWorkflow's input: the plan, made before any spend. */
export const explainerWorkflowInputSchema = z.object({
  explainerId: z.string(),
  chunks: z.array(explainerChunkPlanSchema).min(1),
  archive: z.object({ bucket: z.string(), prefix: z.string() }),
  options: generationOptionsSchema,
  budgetCredits: z.number().nonnegative().optional(),
  burnSubtitles: z.boolean().default(false),
  /** A teacher reviews each chunk in the review room before the assembly (finalize). */
  review: z.boolean().default(false),
  maxReviewRounds: z.number().int().min(1).default(3),
  /** The narrator's pace: new narration a reviewer gives must be said within its chunk's clip. */
  wordsPerSecond: z.number().positive().max(6).default(2.5),
  /** The lesson's title (its script's first heading, else the explainer id) and language: the SCORM package's. */
  title: z.string().min(1).max(200).optional(),
  language: z.string().min(2).max(35).default('en'),
  taskQueue: z.string().optional(),
});
export type ExplainerWorkflowInput = z.input<typeof explainerWorkflowInputSchema>;

/** The explainer as a whole; also its `ProjectState` search attribute (`awaiting-review` lists it on the review page). */
export const explainerStateSchema = z.enum(['generating', 'awaiting-review', 'assembling', 'done', 'failed', 'cancelled']);
export type ExplainerState = z.infer<typeof explainerStateSchema>;

/** A chunk in the review room: its clip in rounds of one take, its voiceover, and its narration. */
export interface ChunkReview extends ReviewItemProgress {
  chunkId: string;
  paragraph: number;
  /** The narration now (the voiceover's text): the chunk's caption. */
  text: string;
  /** The clip's length: new narration must be said within it. */
  clipSeconds: number;
  voiceover: ReviewVoiceover;
}

/** What the `explainerProgress` query, the review view and the review Update answer. */
export interface ExplainerProgress extends ReviewView<ChunkReview> {
  explainerId: string;
  state: ExplainerState;
  /** Whether a teacher reviews the chunks before assembly. */
  review: boolean;
  /** Each chunk's current clip and voiceover by their generation state (waiting, running, archived, failed…). */
  chunks: Array<{ chunkId: string; text: string; clip: string; voiceover: string; error?: string }>;
  /** Generations done of all (clips + voiceovers, every round). */
  done: number;
  total: number;
}

/** The final record: the MP4, its subtitles and what each chunk used. */
export interface ExplainerResult {
  explainerId: string;
  video: AssembledExplainer['mp4'];
  subtitles: AssembledExplainer['subtitles'];
  /** The SCORM 1.2 package for an LMS (`explainer package ID --out F.zip` downloads it). */
  package: ScormPackageRecord;
  chunks: Array<{ chunkId: string; text: string; clipKey: string; voiceoverKey: string }>;
  /** Chunks assembled without the teacher's approval (finalized with allowUnapproved). */
  unapproved: string[];
  credits: number;
  /** The plan's estimate at list price (one submission per generation), beside `credits`, Runway's bill. */
  estimatedCredits?: number;
}

/** What a chunk generates: its clip, and its voiceover. */
export type ChunkGeneration = 'clip' | 'voice';

/** What the explainer's failure carries in its first detail: the chunk that failed, why, and the bill. */
export interface ExplainerChunkFailure {
  chunkId: string;
  generation: ChunkGeneration;
  error: GenerationError;
  /** Every chunk generation that failed, in chunk order. */
  failed: Array<{ chunkId: string; generation: ChunkGeneration; error: GenerationError }>;
  /** What Runway billed this run for all the explainer's generations, net of refunds. */
  credits: number;
}
