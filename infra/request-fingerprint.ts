import { createHash } from 'node:crypto';
import type { ResolvedGenerationRequest, ResolvedVideoRequest } from '../schemas';

/**
 * What identifies a clip: the fields of a request that change Runway's output, in a canonical JSON,
 * hashed with sha256. A staged image counts by its content digest (its S3 key is `…/inputs/<sha256>.<ext>`),
 * a URL by the URL. The client computes it and the workflows carry it: a workflow only compares it.
 */
export function requestFingerprint(request: ResolvedGenerationRequest): string {
  return createHash('sha256')
    .update(canonicalJson(fingerprintFields(request)))
    .digest('hex');
}

function fingerprintFields(request: ResolvedGenerationRequest): Record<string, unknown> {
  // Speech is told apart by its kind; a video's fields stay exactly as before, so archived clips keep their fingerprints.
  if (request.kind === 'speech') return { kind: 'speech', model: request.model, promptText: request.promptText, voice: request.voice };
  return {
    model: request.model,
    promptText: request.promptText ?? null,
    promptImage: imageIdentity(request.promptImage),
    ratio: request.ratio,
    duration: request.duration,
    seed: request.seed ?? null,
    audio: request.audio ?? null,
    contentModeration: request.contentModeration ?? null,
    // absent fields are left out of the JSON, so requests without them keep their fingerprints
    negativePrompt: request.negativePrompt,
    resolution: request.resolution,
  };
}

function imageIdentity(image: ResolvedVideoRequest['promptImage']): string | null {
  if (!image) return null;
  // An upload is the image it was made from: uploading (or re-uploading) never changes what the clip is.
  if (image.kind === 'runway-upload') return imageIdentity(image.source);
  if (image.kind === 'url') return `url:${image.url}`;
  const digest = /\/inputs\/([0-9a-f]{64})\.[a-z]+$/.exec(image.key)?.[1];
  return digest ? `sha256:${digest}` : `s3://${image.bucket}/${image.key}`;
}

/** JSON with object keys sorted at every level: the same request always gives the same text. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
}
