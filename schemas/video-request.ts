import { z } from 'zod';
import { ASPECT_ALIASES, MODEL_CATALOG, OPTIONAL_PARAMS, SPEECH_MODEL_CATALOG, resolveRatio, type EndpointSpec } from './catalog';
import { modelIdSchema, speechModelIdSchema, type Endpoint, type ModelId } from './model-ids';
import { strictObject } from './strict-object';

export const MAX_PROMPT_TEXT_LENGTH = 1000;
export const MAX_IMAGE_URL_LENGTH = 2048;
/** Runway's limit on a data URI, counted on the whole encoded URI. */
export const MAX_DATA_URI_BYTES = 5 * 1024 * 1024;
/** Runway's limit on one ephemeral upload (POST /v1/uploads): images up to 200 MB. */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
/** How long Runway keeps an ephemeral upload's runway:// URI valid. */
const UPLOAD_VALIDITY_MS = 24 * 3600_000;
/** Default age past which a runway:// URI is uploaded again before a submission: the validity less a safety margin. */
export const DEFAULT_UPLOAD_REUSE_MS = UPLOAD_VALIDITY_MS - 3600_000;
export const MAX_SEED = 4_294_967_295;

const nonEmptyPromptText = z.string().refine((text) => text.trim().length > 0, 'promptText must not be empty');

/** A prompt within the product's own limit (campaign variants, B-roll, explainer); a video request checks its model's. */
export const promptTextSchema = nonEmptyPromptText.refine(
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

const RATIO_REQUIRED = `ratio is required: ${Object.keys(ASPECT_ALIASES).join(', ')} or pixels like 1280:720`;

/** Each field's own shape; what a model takes (required fields, ratios, durations, parameters) is the catalog's check. */
const videoRequestFields = {
  model: modelIdSchema,
  // the length limit is the model's (1000 to 15000 UTF-16 code units), checked against the catalog
  promptText: nonEmptyPromptText.optional(),
  promptImage: imageSourceSchema.optional(),
  // optional here: some models take no ratio (their output follows the image); the catalog says which need one
  ratio: z.string({ error: 'ratio must be a string' }).min(1, 'ratio must not be empty').optional(),
  duration: z.number().int('duration must be a whole number of seconds').optional(),
  seed: z.number().int(SEED_RANGE).min(0, SEED_RANGE).max(MAX_SEED, SEED_RANGE).optional(),
  audio: z.boolean().optional(),
  negativePrompt: z.string().min(1, 'negativePrompt must not be empty').optional(),
  resolution: z.string().min(1, 'resolution must not be empty').optional(),
  contentModeration: contentModerationSchema.optional(),
  /**
   * Upload an https promptImage to Runway once (ephemeral upload) instead of letting Runway fetch the URL at
   * every submission: for a host that is slow, rate-limited or about to expire its link. Local files and data
   * URIs are always uploaded.
   */
  rehostImage: z.boolean().optional(),
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
  if (request.promptText === undefined) {
    // text_to_video without a prompt has nothing to generate from (the product sends no references)
    if (endpoint === 'text_to_video')
      ctx.addIssue({ path: ['promptText'], message: 'promptText is required when there is no promptImage' });
    else if (endpointSpec.promptTextRequired)
      ctx.addIssue({ path: ['promptText'], message: `promptText is required for ${request.model} ${endpoint}` });
  } else if (request.promptText.length > endpointSpec.maxPromptTextLength) {
    ctx.addIssue({
      path: ['promptText'],
      message: `promptText is ${request.promptText.length} characters; ${request.model} allows at most ${endpointSpec.maxPromptTextLength} (UTF-16 code units)`,
    });
  }
  if (request.rehostImage === true && !(typeof request.promptImage === 'string' && /^https:\/\//i.test(request.promptImage))) {
    ctx.addIssue({
      path: ['rehostImage'],
      message: 'rehostImage applies to an https promptImage (local files and data URIs are always uploaded to Runway)',
    });
  }
  checkRatio(request, endpoint, endpointSpec, ctx);
  if (request.duration !== undefined && !spec.durations.includes(request.duration)) {
    ctx.addIssue({
      path: ['duration'],
      message: `duration ${request.duration} is not allowed for ${request.model}; allowed: ${spec.durations.join(', ')}`,
    });
  }
  for (const param of OPTIONAL_PARAMS) {
    if (request[param] !== undefined && !endpointSpec.params.includes(param)) {
      const where = spec.endpoints[otherEndpoint(endpoint)]?.params.includes(param) ? ` on ${endpoint}` : '';
      ctx.addIssue({ path: [param], message: `model ${request.model} does not support ${param}${where}` });
    }
  }
  const resolutions = endpointSpec.resolutions ?? [];
  if (request.resolution !== undefined && endpointSpec.params.includes('resolution') && !resolutions.includes(request.resolution)) {
    ctx.addIssue({
      path: ['resolution'],
      message: `resolution ${request.resolution} is not allowed for ${request.model} ${endpoint}; allowed: ${resolutions.join(', ')}`,
    });
  }
}

function checkRatio(
  request: VideoRequestInput,
  endpoint: Endpoint,
  endpointSpec: EndpointSpec,
  ctx: { addIssue: (issue: CatalogIssue) => void },
): void {
  if (endpointSpec.ratios.length === 0) {
    if (request.ratio !== undefined) {
      ctx.addIssue({
        path: ['ratio'],
        message: `model ${request.model} takes no ratio on ${endpoint} (its output follows the image${endpointSpec.params.includes('resolution') ? '; use resolution' : ''}); remove ratio`,
      });
    }
    return;
  }
  if (request.ratio === undefined) {
    ctx.addIssue({ path: ['ratio'], message: RATIO_REQUIRED });
    return;
  }
  const ratio = resolveRatio(request.model, request.ratio);
  if (endpointSpec.unsupportedRatios?.includes(ratio)) {
    ctx.addIssue({
      path: ['ratio'],
      message: `ratio ${request.ratio} lets ${request.model} choose the size and is not supported; allowed: ${endpointSpec.ratios.join(', ')}`,
    });
  } else if (!endpointSpec.ratios.includes(ratio)) {
    ctx.addIssue({
      path: ['ratio'],
      message: `ratio ${request.ratio} is not allowed for ${request.model} ${endpoint}; allowed: ${endpointSpec.ratios.join(', ')}`,
    });
  }
}

function otherEndpoint(endpoint: Endpoint): Endpoint {
  return endpoint === 'image_to_video' ? 'text_to_video' : 'image_to_video';
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
    ratio: request.ratio === undefined ? undefined : resolveRatio(request.model, request.ratio),
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
