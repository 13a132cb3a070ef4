import { z } from 'zod';

/** Runway API wire shapes (API version 2024-11-06), as the official SDK's types describe them. */
export const RUNWAY_API_VERSION = '2024-11-06';
export const RUNWAY_DEFAULT_BASE_URL = 'https://api.dev.runwayml.com';

export const taskStatusSchema = z.enum(['PENDING', 'THROTTLED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

const costSchema = z.object({ credits: z.number() });

export const createTaskResponseSchema = z.object({
  id: z.string().min(1),
  estimatedCost: costSchema.optional(),
});
export type CreateTaskResponse = z.infer<typeof createTaskResponseSchema>;

/** `POST /v1/uploads` `{filename, type: 'ephemeral'}`: a presigned form to post the file to, and the URI it will have. */
export const presignedUploadSchema = z.object({
  uploadUrl: z.string().url(),
  fields: z.record(z.string(), z.string()),
  runwayUri: z.string().regex(/^runway:\/\//, 'must be a runway:// URI'),
});
export type PresignedUpload = z.infer<typeof presignedUploadSchema>;

const taskBase = {
  id: z.string().min(1),
  createdAt: z.string(),
};

export const taskSchema = z.discriminatedUnion('status', [
  z.object({ ...taskBase, status: z.literal('PENDING'), estimatedCost: costSchema.optional() }),
  z.object({ ...taskBase, status: z.literal('THROTTLED'), estimatedCost: costSchema.optional() }),
  z.object({
    ...taskBase,
    status: z.literal('RUNNING'),
    progress: z.number().min(0).max(1).optional(),
    estimatedCost: costSchema.optional(),
  }),
  z.object({ ...taskBase, status: z.literal('SUCCEEDED'), output: z.array(z.string()).min(1), cost: costSchema.optional() }),
  z.object({
    ...taskBase,
    status: z.literal('FAILED'),
    failure: z.string(),
    failureCode: z.string().optional(),
    cost: costSchema.optional(),
  }),
  z.object({ ...taskBase, status: z.literal('CANCELLED'), cost: costSchema.optional() }),
]);
export type RunwayTask = z.infer<typeof taskSchema>;

export const errorBodySchema = z.object({ error: z.string() }).passthrough();

/**
 * The optional parameters both video endpoints take, under Runway's names; the typed client's request and
 * the CLI's flags use the same names. Which of them a model takes is the catalog's to say.
 */
export interface VideoParams {
  /** Required where the model takes a ratio; absent for models whose output follows the image. */
  ratio?: string;
  duration?: number;
  seed?: number;
  audio?: boolean;
  negativePrompt?: string;
  resolution?: string;
}

/** Body of POST /v1/image_to_video. */
export interface ImageToVideoBody extends VideoParams {
  model: string;
  promptImage: string | Array<{ uri: string; position: 'first' | 'last' }>;
  promptText?: string;
  contentModeration?: { publicFigureThreshold?: 'auto' | 'low' };
}

/** Body of POST /v1/text_to_video. */
export interface TextToVideoBody extends VideoParams {
  model: string;
  promptText: string;
  contentModeration?: { publicFigureThreshold?: 'auto' | 'low' };
}

/** Body of POST /v1/text_to_speech (the SDK's TextToSpeechCreateParams.ElevenMultilingualV2). */
export interface TextToSpeechBody {
  model: string;
  promptText: string;
  voice: { type: 'runway-preset'; presetId: string };
}

export type CreateTaskBody = ImageToVideoBody | TextToVideoBody | TextToSpeechBody;

/**
 * What a FAILED task's failureCode means for the video (Runway's documented code families):
 * - `moderation`: any code with a SAFETY segment (`SAFETY.INPUT.*`, `SAFETY.OUTPUT.*`,
 *   `INPUT_PREPROCESSING.SAFETY.*`). Credits are spent; the same input is refused again: never resubmit.
 * - `input`: other `INPUT_PREPROCESSING.*` and `ASSET.*` codes. The input itself is unusable: resubmitting
 *   the same request would fail the same way and spend again.
 * - `bad_output`: `INTERNAL.BAD_OUTPUT.*`, a quality/system rejection: resubmit within maxSubmissions.
 * - `unknown`: any other code, or none. Runway says such codes may be transient, but an unknown code
 *   that repeats is most likely permanent: resubmit once, then give up (UNKNOWN_FAILURE_RESUBMISSIONS).
 */
export const failureClassSchema = z.enum(['moderation', 'input', 'bad_output', 'unknown']);
export type FailureClass = z.infer<typeof failureClassSchema>;
