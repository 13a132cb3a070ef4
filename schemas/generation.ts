import { z } from 'zod';
import { GENERATION_STATES } from './generation-values';
import { modelIdSchema, speechModelIdSchema } from './model-ids';
import { generationOptionsSchema } from './options';
import { contentModerationSchema } from './video-request';
import type { FailureClass } from './runway';
import type { ModerationVerdict } from './moderation';

/**
 * A prompt image as workflows carry it: never the bytes (history payloads are limited to ~2 MB),
 * only where to fetch them at submit time.
 */
const urlImageRefSchema = z.object({
  kind: z.literal('url'),
  url: z.string(),
  /** Upload it to Runway once (ephemeral upload) instead of letting Runway fetch the URL at each submission. */
  rehost: z.boolean().optional(),
});
const s3ImageRefSchema = z.object({
  kind: z.literal('s3'),
  bucket: z.string(),
  key: z.string(),
  contentType: z.string(),
  bytes: z.number().int(),
});

/** Where an upload's bytes come from: read again when its URI is too old to reuse. */
export const uploadSourceSchema = z.discriminatedUnion('kind', [urlImageRefSchema, s3ImageRefSchema]);
export type UploadSource = z.infer<typeof uploadSourceSchema>;

/** An image uploaded to Runway once (POST /v1/uploads): its `runway://` URI, reused by every submission while it is valid. */
export const runwayUploadRefSchema = z.object({
  kind: z.literal('runway-upload'),
  uri: z.string().regex(/^runway:\/\//, 'an upload URI starts with runway://'),
  /** Epoch ms of the upload: the URI is valid about 24 h from then. */
  uploadedAt: z.number().int(),
  source: uploadSourceSchema,
});
export type RunwayUploadRef = z.infer<typeof runwayUploadRefSchema>;

export const imageRefSchema = z.discriminatedUnion('kind', [urlImageRefSchema, s3ImageRefSchema, runwayUploadRefSchema]);
export type ImageRef = z.infer<typeof imageRefSchema>;

/** A validated, resolved video request (image_to_video / text_to_video); `kind` absent means video. */
export const resolvedVideoRequestSchema = z.object({
  kind: z.literal('video').optional(),
  model: modelIdSchema,
  promptText: z.string().optional(),
  promptImage: imageRefSchema.optional(),
  // absent for a model that takes no ratio (its output follows the image)
  ratio: z.string().optional(),
  duration: z.number().int(),
  seed: z.number().int().optional(),
  audio: z.boolean().optional(),
  negativePrompt: z.string().optional(),
  resolution: z.string().optional(),
  contentModeration: contentModerationSchema.optional(),
});
export type ResolvedVideoRequest = z.infer<typeof resolvedVideoRequestSchema>;

/** A validated text-to-speech request: the words and a voice preset id. */
export const resolvedSpeechRequestSchema = z.object({
  kind: z.literal('speech'),
  model: speechModelIdSchema,
  promptText: z.string(),
  voice: z.string(),
});

/**
 * Any Runway generation task the generation workflow runs, by kind: a video (the default, so every
 * campaign and B-roll request stays as it is) or speech.
 */
export const resolvedGenerationRequestSchema = z.union([resolvedSpeechRequestSchema, resolvedVideoRequestSchema]);
export type ResolvedGenerationRequest = z.infer<typeof resolvedGenerationRequestSchema>;
export type GenerationKind = 'video' | 'speech';

export const archiveDestinationSchema = z.object({ bucket: z.string(), prefix: z.string() });
export type ArchiveDestination = z.infer<typeof archiveDestinationSchema>;

export const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/, 'fingerprint must be a sha256 in hex');

export const generationWorkflowInputSchema = z.object({
  /** The generation's own id: the workflow id's last part for a single generation, the child's workflow id for a workload's. */
  generationId: z.string(),
  /** The workload it belongs to (a campaign, B-roll project or explainer; "single" for one on its own): its archive folder. */
  workloadId: z.string(),
  /** Its key within the workload (a variant, a segment's round, a chunk's clip or voiceover): its folder inside the workload's. */
  generationKey: z.string(),
  request: resolvedGenerationRequestSchema,
  archive: archiveDestinationSchema,
  options: generationOptionsSchema,
  /** Set by a workload with a budget: the child asks it for credits before every resubmission (absent: not budgeted). */
  budgeted: z.boolean().optional(),
  /** A generation on its own keeps its own budget: billed so far + the next estimate must fit. */
  budgetCredits: z.number().nonnegative().optional(),
  /** sha256 of what makes the clip (infra/request-fingerprint.ts): a re-run reuses a clip only for the same one. */
  fingerprint: fingerprintSchema,
  /**
   * The archived object's file name without extension (a B-roll take's `<projectId>-s01-t2`), so the name
   * an editor reads in S3 is the one in every list; by default the Runway task id.
   */
  outputName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/)
    .optional(),
  /** Set by a parent that does not await the child's handle (a campaign, which may continue as new meanwhile): the child's end is signalled to it. */
  reportEnd: z.boolean().optional(),
  /**
   * Set by a workload that asks the lease pool for the first submission's lease itself, as soon as the child has
   * started (someone is waiting for it): the child waits for that grant instead of asking.
   */
  leaseRequested: z.boolean().optional(),
});
export type GenerationWorkflowInput = z.input<typeof generationWorkflowInputSchema>;

export interface ArchivedObject {
  bucket: string;
  key: string;
  bytes: number;
  sha256: string;
  etag: string;
  /** What the output is, as Runway's download answered it (video/mp4, audio/mpeg…). */
  contentType?: string;
}

export interface GenerationTimings {
  startedAt: string;
  submittedAt?: string;
  generatedAt?: string;
  archivedAt: string;
  /** Wall time spent waiting on Runway across all submissions, ms. */
  generationMs: number;
  archiveMs: number;
}

export interface SubmissionRecord {
  taskId: string;
  outcome: string;
  failureCode?: string;
  credits: number;
}

export interface GenerationResult {
  generationId: string;
  workloadId: string;
  generationKey: string;
  model: string;
  s3: ArchivedObject;
  runwayTaskId: string;
  submissions: number;
  submissionHistory: SubmissionRecord[];
  /** What Runway billed for this generation's submissions, net of refunds. */
  credits: number;
  /** One submission's list price, beside `credits`, Runway's bill. */
  estimatedCredits?: number;
  /** The fingerprint of the request this output was made from (infra/request-fingerprint.ts). */
  fingerprint?: string;
  /** The pre-screen's verdicts (term list, moderation model) with their categories. */
  moderation?: ModerationVerdict[];
  timings: GenerationTimings;
}

/**
 * What a failed generation workflow puts in its ApplicationFailure's first detail, beside the failure's own
 * fields: Runway bills attempts that end the generation as failed too, and its workload's credit book must know.
 */
export interface GenerationFailureBilling {
  credits: number;
  submissionHistory: SubmissionRecord[];
}

export const generationStateSchema = z.enum(GENERATION_STATES);
export type GenerationState = z.infer<typeof generationStateSchema>;

/** What the `generationProgress` query of one generation workflow answers. */
export interface GenerationProgress {
  generationId: string;
  state: GenerationState;
  runwayTaskId?: string;
  runwayTaskStatus?: string;
  progress?: number;
  submissions: SubmissionRecord[];
  /** The pre-screen's verdicts, once it has run. */
  moderation?: ModerationVerdict[];
}

/** Why a generation failed, as a workload records it: the failure's type from schemas/failures.ts. */
export interface GenerationError {
  type: string;
  message: string;
  failureCode?: string;
}

/**
 * What one submission of the generation activity ended as, the contract between that activity and the
 * generation workflow. `leaseReleased`: the pool has the lease back (its signal was accepted), so the
 * workflow need not send it again.
 */
export type GenerateOutcome = (
  | { kind: 'succeeded'; taskId: string; credits: number; polls: number; submittedAt: number; finishedAt: number }
  | { kind: 'failed'; taskId: string; credits: number; failure: string; failureCode?: string; failureClass: FailureClass; polls: number }
  | { kind: 'queue_timeout' | 'running_timeout'; taskId: string; credits: number; waitedMs: number; deleted: boolean; polls: number }
  | { kind: 'cancelled_remotely' | 'vanished'; taskId: string; credits: number; polls: number }
) & { leaseReleased?: boolean };
