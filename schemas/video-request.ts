import { z } from 'zod';
import {
  ASPECT_ALIASES,
  MODEL_CATALOG,
  SPEECH_MODEL_CATALOG,
  modelIdSchema,
  resolveRatio,
  speechModelIdSchema,
  type Endpoint,
  type ModelId,
} from './catalog';
import { strictObject } from './strict-object';

export const MAX_PROMPT_TEXT_LENGTH = 1000;
export const MAX_IMAGE_URL_LENGTH = 2048;
/** Runway's limit on a data URI, counted on the whole encoded URI. */
export const MAX_DATA_URI_BYTES = 5 * 1024 * 1024;
/** Runway's limit on one ephemeral upload (POST /v1/uploads): images up to 200 MB. */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
/** How long Runway keeps an ephemeral upload's runway:// URI valid. */
export const UPLOAD_VALIDITY_MS = 24 * 3600_000;
/** Default age past which a runway:// URI is uploaded again before a submission: the validity less a safety margin. */
export const DEFAULT_UPLOAD_REUSE_MS = 23 * 3600_000;
export const MAX_SEED = 4_294_967_295;

export const promptTextSchema = z
  .string()
  .refine((text) => text.trim().length > 0, 'promptText must not be empty')
  .refine(
    (text) => text.length <= MAX_PROMPT_TEXT_LENGTH,
    `promptText must be at most ${MAX_PROMPT_TEXT_LENGTH} characters (UTF-16 code units)`,
  );

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Where a prompt image comes from, as the user writes it: HTTPS URL, data URI, runway:// URI or a local path. */
export const imageSourceSchema = z
  .string()
  .min(1, 'promptImage must not be empty')
  .superRefine((source, ctx) => {
    if (/^data:/i.test(source)) {
      if (!/^data:image\/(png|jpeg|jpg|webp);base64,/i.test(source)) {
        ctx.addIssue({ code: 'custom', message: 'promptImage data URI must be data:image/(png|jpeg|webp);base64,…' });
      } else if (source.length > MAX_DATA_URI_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `promptImage data URI is ${source.length} characters; Runway allows at most ${MAX_DATA_URI_BYTES} (5 MB, encoded)`,
        });
      }
      return;
    }
    if (/^runway:\/\//i.test(source)) return;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
      let url: URL;
      try {
        url = new URL(source);
      } catch {
        ctx.addIssue({ code: 'custom', message: `promptImage is not a valid URL: ${source}` });
        return;
      }
      if (url.protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', message: `promptImage URL must use https (got ${url.protocol.replace(':', '')})` });
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (IPV4.test(host) || host.includes(':')) {
        ctx.addIssue({ code: 'custom', message: 'promptImage URL must use a domain name, not an IP address' });
      }
      if (source.length > MAX_IMAGE_URL_LENGTH) {
        ctx.addIssue({ code: 'custom', message: `promptImage URL must be at most ${MAX_IMAGE_URL_LENGTH} characters` });
      }
    }
    // anything else is a local file path; the client checks it exists and is an image before staging
  });

export const contentModerationSchema = strictObject({
  publicFigureThreshold: z.enum(['auto', 'low']),
});

const SEED_RANGE = `seed must be a whole number from 0 to ${MAX_SEED}`;

const videoRequestFields = {
  model: modelIdSchema,
  promptText: promptTextSchema.optional(),
  promptImage: imageSourceSchema.optional(),
  ratio: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `ratio is required: ${Object.keys(ASPECT_ALIASES).join(', ')} or pixels like 1280:720`
          : 'ratio must be a string',
    })
    .min(1, 'ratio must not be empty'),
  duration: z.number().int('duration must be a whole number of seconds').optional(),
  seed: z.number().int(SEED_RANGE).min(0, SEED_RANGE).max(MAX_SEED, SEED_RANGE).optional(),
  audio: z.boolean().optional(),
  contentModeration: contentModerationSchema.optional(),
};

export const videoRequestShape = strictObject(videoRequestFields);
export const partialVideoRequestShape = strictObject(videoRequestFields).partial();
export type VideoRequestInput = z.infer<typeof videoRequestShape>;

export function endpointFor(request: { promptImage?: unknown }): Endpoint {
  return request.promptImage === undefined ? 'text_to_video' : 'image_to_video';
}

export interface CatalogIssue {
  path: string[];
  message: string;
}

/** Check a request against the model catalog; each issue names the field and the allowed values. */
export function catalogIssues(request: VideoRequestInput): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  const ctx = { addIssue: (issue: { path: string[]; message: string }) => issues.push(issue) };
  checkRequest(request, ctx);
  return issues;
}

function checkRequest(request: VideoRequestInput, ctx: { addIssue: (issue: CatalogIssue) => void }): void {
  const spec = MODEL_CATALOG[request.model];
  const endpoint = endpointFor(request);
  const endpointSpec = spec.endpoints[endpoint];
  if (!endpointSpec) {
    const message =
      endpoint === 'text_to_video'
        ? `model ${request.model} needs promptImage (it has no text-to-video endpoint); text-only models: ${textModels().join(', ')}`
        : `model ${request.model} does not accept promptImage`;
    ctx.addIssue({ path: ['promptImage'], message });
    return;
  }
  if (endpoint === 'text_to_video' && request.promptText === undefined) {
    ctx.addIssue({ path: ['promptText'], message: 'promptText is required when there is no promptImage' });
  }
  const ratio = resolveRatio(request.model, request.ratio);
  if (!endpointSpec.ratios.includes(ratio)) {
    ctx.addIssue({
      path: ['ratio'],
      message: `ratio ${request.ratio} is not allowed for ${request.model} ${endpoint}; allowed: ${endpointSpec.ratios.join(', ')}`,
    });
  }
  if (request.duration !== undefined && !spec.durations.includes(request.duration)) {
    ctx.addIssue({
      path: ['duration'],
      message: `duration ${request.duration} is not allowed for ${request.model}; allowed: ${spec.durations.join(', ')}`,
    });
  }
  if (request.audio !== undefined && !spec.supportsAudio) {
    ctx.addIssue({ path: ['audio'], message: `model ${request.model} does not support audio` });
  }
  if (request.contentModeration !== undefined && !spec.supportsContentModeration) {
    ctx.addIssue({ path: ['contentModeration'], message: `model ${request.model} does not support contentModeration` });
  }
}

function textModels(): ModelId[] {
  return Object.values(MODEL_CATALOG)
    .filter((spec) => spec.endpoints.text_to_video !== undefined)
    .map((spec) => spec.id);
}

/** A complete video request, checked against the catalog. Ratio aliases ("16:9") resolve per model. */
export const videoRequestSchema = videoRequestShape
  .superRefine((request, ctx) => {
    for (const issue of catalogIssues(request)) ctx.addIssue({ code: 'custom', ...issue });
  })
  .transform((request) => ({
    ...request,
    ratio: resolveRatio(request.model, request.ratio),
    duration: request.duration ?? MODEL_CATALOG[request.model].defaultDuration,
  }));

/**
 * A text-to-speech request as the user writes it: the words, a voice preset and the model (one today).
 * Checked against the speech catalog: an unknown voice or model, an empty or too-long text, each named.
 */
export const speechRequestShape = strictObject({
  model: speechModelIdSchema.default('eleven_multilingual_v2'),
  promptText: z
    .string({ error: 'promptText is required: the words to speak' })
    .refine((text) => text.trim().length > 0, 'promptText must not be empty'),
  voice: z.string({ error: 'voice is required: a Runway voice preset id such as Maya' }).min(1, 'voice must not be empty'),
});

export const speechRequestSchema = speechRequestShape
  .superRefine((request, ctx) => {
    const spec = SPEECH_MODEL_CATALOG[request.model];
    if (!spec.voices.includes(request.voice)) {
      ctx.addIssue({
        code: 'custom',
        path: ['voice'],
        message: `voice ${request.voice} is not a ${request.model} preset; allowed: ${spec.voices.join(', ')}`,
      });
    }
    if (request.promptText.length > spec.maxTextLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['promptText'],
        message: `promptText is ${request.promptText.length} characters; ${request.model} allows at most ${spec.maxTextLength} (UTF-16 code units)`,
      });
    }
  })
  .transform((request) => ({ kind: 'speech' as const, ...request }));
