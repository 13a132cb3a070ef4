import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { generationOptionsInputSchema, generationOptionsSchema } from './options';
import { strictObject } from './strict-object';
import { resolvedSpeechRequestSchema, resolvedVideoRequestSchema } from './generation';
import type { AssembledExplainer } from './assembly';
import type { GenerationError } from './generation';

/**
 * Explainer videos: a lesson script cut into chunks that can be spoken in about 5 s, a clip and a
 * voiceover per chunk (both through the one generation workflow), assembled with ffmpeg into one narrated
 * MP4. These schemas are the contract between the explainer file, the planner (client), the
 * ExplainerWorkflow and the assembly activity (schemas/assembly.ts).
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
  archive: strictObject({ bucket: bucketSchema.optional(), prefix: keyPrefixSchema.optional() }).default({}),
  options: generationOptionsInputSchema.extend({ burnSubtitles: z.boolean().optional() }).default({}),
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
  /** The lesson's title (its script's first heading, else the explainer id) and language: the SCORM package's. */
  title: z.string().min(1).max(200).optional(),
  language: z.string().min(2).max(35).default('en'),
  taskQueue: z.string().optional(),
});
export type ExplainerWorkflowInput = z.input<typeof explainerWorkflowInputSchema>;

export const explainerStageSchema = z.enum(['generating', 'assembling', 'done', 'failed', 'cancelled']);
export type ExplainerStage = z.infer<typeof explainerStageSchema>;

/** What the `explainerProgress` query answers. */
export interface ExplainerProgress {
  explainerId: string;
  stage: ExplainerStage;
  chunks: Array<{ chunkId: string; text: string; clip: string; voiceover: string; error?: string }>;
  /** Generations done of all (clips + voiceovers). */
  done: number;
  total: number;
  creditsSpent: number;
}

/** The final record: the MP4, its subtitles and what each chunk used. */
export interface ExplainerResult {
  explainerId: string;
  video: AssembledExplainer['mp4'];
  subtitles: AssembledExplainer['subtitles'];
  /** The SCORM 1.2 package for an LMS (`explainer package ID --out F.zip` downloads it). */
  package: AssembledExplainer['package'];
  chunks: Array<{ chunkId: string; text: string; clipKey: string; voiceoverKey: string }>;
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
