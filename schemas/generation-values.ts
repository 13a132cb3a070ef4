// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// The generation's schemas and types are in generation.ts.
import { creditsFor, speechCreditsFor } from './catalog';
import type {
  ArchivedObject,
  GenerationKind,
  GenerationResult,
  GenerationTimings,
  ImageRef,
  ResolvedGenerationRequest,
  UploadSource,
} from './generation';

/** An image reference the parent (or a single video) uploads to Runway before submitting: staged bytes, or a URL to re-host. */
export function needsUpload(image: ImageRef | undefined): image is UploadSource {
  return image !== undefined && (image.kind === 's3' || (image.kind === 'url' && image.rehost === true));
}

export function generationKind(request: ResolvedGenerationRequest): GenerationKind {
  return request.kind ?? 'video';
}

/** Runway's list price for one submission of the request: per second of video, per character of speech. */
export function requestCredits(request: ResolvedGenerationRequest): number {
  return request.kind === 'speech' ? speechCreditsFor(request.model, request.promptText) : creditsFor(request.model, request.duration);
}

/**
 * A generation's result once its output is in S3, keys in the order the Web UI shows them: where the output
 * is right after what it is, before the submissions. The workflow and the activity that reports it build it alike.
 */
export function withArchive(made: Omit<GenerationResult, 's3'>, s3: ArchivedObject, timings: GenerationTimings): GenerationResult {
  const { generationId, workloadId, generationKey, model, ...rest } = made;
  return { generationId, workloadId, generationKey, model, s3, ...rest, timings };
}

/** Every state a generation shows, in the order a workload's progress counts them. */
export const GENERATION_STATES = [
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
] as const;
