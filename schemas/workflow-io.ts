import { z } from 'zod';
import { creditsFor, modelIdSchema, speechCreditsFor, speechModelIdSchema } from './catalog';
import { generationOptionsSchema } from './options';
import { contentModerationSchema } from './video-request';

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

/** An image reference the parent (or a single video) uploads to Runway before submitting: staged bytes, or a URL to re-host. */
export function needsUpload(image: ImageRef | undefined): image is UploadSource {
  return image !== undefined && (image.kind === 's3' || (image.kind === 'url' && image.rehost === true));
}

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

export function generationKind(request: ResolvedGenerationRequest): GenerationKind {
  return request.kind ?? 'video';
}

/** Runway's list price for one submission of the request: per second of video, per character of speech. */
export function requestCredits(request: ResolvedGenerationRequest): number {
  return request.kind === 'speech' ? speechCreditsFor(request.model, request.promptText) : creditsFor(request.model, request.duration);
}

export const archiveDestinationSchema = z.object({ bucket: z.string(), prefix: z.string() });

const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/, 'fingerprint must be a sha256 in hex');

export const videoWorkflowInputSchema = z.object({
  videoId: z.string(),
  campaignId: z.string(),
  variantId: z.string(),
  request: resolvedGenerationRequestSchema,
  archive: archiveDestinationSchema,
  options: generationOptionsSchema,
  /** Set by the campaign: the child asks it for credits before every submission. */
  budgeted: z.boolean().default(false),
  /** A video without a campaign keeps its own ledger: billed so far + the next estimate must fit. */
  budgetCredits: z.number().nonnegative().optional(),
  /** sha256 of what makes the clip (infra/request-fingerprint.ts): a re-run reuses a clip only for the same one. */
  fingerprint: fingerprintSchema,
  /** Set by a campaign: the child signals its end to the parent, which does not await its handle (it may continue as new meanwhile). */
  reportEnd: z.boolean().optional(),
});
export type VideoWorkflowInput = z.input<typeof videoWorkflowInputSchema>;

export interface ArchivedObject {
  bucket: string;
  key: string;
  bytes: number;
  sha256: string;
  etag: string;
  /** What the output is, as Runway's download answered it (video/mp4, audio/mpeg…). */
  contentType?: string;
}

export interface VideoTimings {
  startedAt: string;
  submittedAt?: string;
  generatedAt?: string;
  archivedAt: string;
  /** Wall time spent waiting on Runway across all submissions, ms. */
  generationMs: number;
  archiveMs: number;
}

/**
 * A video's result once its clip is in S3, keys in the order the Web UI shows them: where the clip is right
 * after what it is, before the submissions. The workflow and the activity that reports it build it alike.
 */
export function withArchive(made: Omit<VideoResult, 's3'>, s3: ArchivedObject, timings: VideoTimings): VideoResult {
  const { videoId, campaignId, variantId, model, ...rest } = made;
  return { videoId, campaignId, variantId, model, s3, ...rest, timings };
}

export interface SubmissionRecord {
  taskId: string;
  outcome: string;
  failureCode?: string;
  credits: number;
}

export interface VideoResult {
  videoId: string;
  campaignId: string;
  variantId: string;
  model: string;
  s3: ArchivedObject;
  runwayTaskId: string;
  submissions: number;
  submissionHistory: SubmissionRecord[];
  /** What Runway billed for this video's submissions, net of refunds. */
  credits: number;
  /** The fingerprint of the request this clip was made from (infra/request-fingerprint.ts). */
  fingerprint?: string;
  timings: VideoTimings;
}

/**
 * What a failed video workflow puts in its ApplicationFailure's first detail, beside the failure's own
 * fields: Runway bills attempts that end the video as failed too, and the campaign's ledger must know.
 */
export interface VideoFailureBilling {
  credits: number;
  submissionHistory: SubmissionRecord[];
}

export const videoStateSchema = z.enum([
  'waiting',
  /** The model's daily generation quota is used up: no POST until Runway's rolling 24 h window frees one. */
  'quota-wait',
  'prescreening',
  'submitting',
  'queued',
  'running',
  'archiving',
  'archived',
  'failed',
  'cancelled',
]);
export type VideoState = z.infer<typeof videoStateSchema>;

export const campaignVariantSchema = z.object({
  variantId: z.string(),
  request: resolvedVideoRequestSchema,
  fingerprint: fingerprintSchema,
  regenerate: z.boolean().optional(),
});
export type CampaignVariant = z.infer<typeof campaignVariantSchema>;

/**
 * A campaign's resolved variants stored in S3 by the client (claim check): JSONL parts, one variant a line,
 * so the workflow's input and history stay small at any campaign size. The workspace check needs the
 * models and the list-price estimate of all of them, so the client sums them while it writes the parts.
 */
export const variantPagesSchema = z.object({
  bucket: z.string(),
  keys: z.array(z.string()).min(1),
  /** Variants per part (the last may hold fewer): the workflow finds variant i in part floor(i / perPart). */
  perPart: z.number().int().positive(),
  count: z.number().int().positive(),
  /** sha256 of each part's bytes: the page reader refuses a part that changed since the client wrote it. */
  partSha256: z.array(z.string()),
  /** sha256 over every part's bytes in order. */
  sha256: z.string(),
  models: z.array(modelIdSchema).min(1),
  estimatedCredits: z.number().nonnegative(),
});
export type VariantPages = z.infer<typeof variantPagesSchema>;

/** What one run of a campaign hands the next when it continues as new. */
export const campaignCarrySchema = z.object({
  /** Index of the next variant to start. */
  cursor: z.number().int().nonnegative(),
  runs: z.number().int().positive(),
  archived: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
  reused: z.number().int().nonnegative(),
  credits: z.number().nonnegative(),
  maxOpen: z.number().int().nonnegative(),
  /** Children started and not yet ended, by variant id. */
  open: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      variantId: z.string(),
      workflowId: z.string(),
      promptText: z.string().optional(),
      state: z.string(),
      runwayTaskId: z.string().optional(),
      submissions: z.number().int().optional(),
    }),
  ),
  /** The credit ledger's open entries (billed so far, reserved for the open submission) and what ended billed. */
  ledger: z.object({
    open: z.array(z.tuple([z.string(), z.object({ billed: z.number(), reserved: z.number() })])),
    settledSpent: z.number(),
  }),
  /** Manifest parts written so far, and the entries not yet written to one. */
  manifestParts: z.array(z.object({ key: z.string(), count: z.number().int(), sha256: z.string() })),
  pendingManifest: z.array(z.record(z.string(), z.unknown())),
  recent: z.array(z.record(z.string(), z.unknown())),
  failedRecent: z.array(z.record(z.string(), z.unknown())),
  /** Every outcome, kept only for a campaign small enough to return them in its result. */
  outcomes: z.array(z.unknown()).optional(),
});
export type CampaignCarry = z.infer<typeof campaignCarrySchema>;

export const campaignWorkflowInputSchema = z
  .object({
    campaignId: z.string(),
    /** The variants inline (a small campaign, or a direct start); empty when `variantPages` holds them. */
    variants: z.array(campaignVariantSchema),
    variantPages: variantPagesSchema.optional(),
    archive: archiveDestinationSchema,
    options: generationOptionsSchema,
    budgetCredits: z.number().nonnegative().optional(),
    /** Children open at once (Temporal allows 2,000 pending children per workflow). */
    maxOpenVideos: z.number().int().positive().max(2000).optional(),
    /** Continue as new after this many variants started in one run, or sooner when Temporal suggests it. */
    continueAsNewEvery: z.number().int().positive().optional(),
    /** Children run on this queue; defaults to the worker's default queue. */
    taskQueue: z.string().optional(),
    /** Scheduled runs: the campaign id comes from the run's workflow id (which holds the scheduled time). */
    campaignIdFromWorkflowId: z.boolean().optional(),
    /** Set by a run that continued as new: where the campaign stands. */
    carry: campaignCarrySchema.optional(),
  })
  .refine((input) => (input.variantPages === undefined) === input.variants.length > 0, {
    message: 'a campaign carries its variants inline or as variantPages, exactly one',
  });
export type CampaignWorkflowInput = z.input<typeof campaignWorkflowInputSchema>;

export interface VariantError {
  type: string;
  message: string;
  failureCode?: string;
}

export interface VariantOutcome {
  variantId: string;
  workflowId: string;
  state: VideoState;
  result?: VideoResult;
  error?: VariantError;
  /** The clip was archived by an earlier run of this campaign: nothing was billed for it in this run. */
  reused?: boolean;
  /** Credits Runway billed for this variant in this run, net of refunds (also when it failed). */
  credits: number;
}

export interface CampaignProgress {
  campaignId: string;
  total: number;
  counts: Record<VideoState, number>;
  /** The variants open now, then the most recently ended (bounded: a campaign of any size answers in one small payload). */
  variants: Array<{ variantId: string; state: VideoState; runwayTaskId?: string; submissions?: number; error?: string }>;
  /** The most recently failed variants (bounded). */
  failed?: Array<{ variantId: string; state: VideoState; error?: string }>;
  creditsReserved: number;
  creditsSpent: number;
  /** Variants started so far, children open now and the most open at once (campaigns only). */
  started?: number;
  open?: number;
  maxOpen?: number;
  /** Runs of the campaign's continue-as-new chain so far, this one included. */
  runs?: number;
}

export interface CampaignResult {
  campaignId: string;
  manifest: { bucket: string; key: string };
  total: number;
  archived: number;
  failed: number;
  /** Credits Runway billed for THIS run, net of refunds: reused variants count 0, failed attempts count. */
  credits: number;
  reused?: number;
  cancelled?: number;
  /** Runs of the continue-as-new chain. */
  runs?: number;
  maxOpen?: number;
  /**
   * Every variant's outcome in variant order, only for a campaign of at most RESULT_VARIANTS_LIMIT variants;
   * a larger one lists its variants in the manifest parts only (`manifest` is their index).
   */
  variants: VariantOutcome[];
}

/** A campaign of at most this many variants also returns every outcome in its result (and lists them in the manifest index). */
export const RESULT_VARIANTS_LIMIT = 100;

/** What the `videoStatus` query of one video workflow answers. */
export interface VideoProgress {
  videoId: string;
  state: VideoState;
  runwayTaskId?: string;
  runwayTaskStatus?: string;
  progress?: number;
  submissions: SubmissionRecord[];
}
