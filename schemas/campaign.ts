import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { generationOptionsInputSchema } from './options';
import { catalogIssues, partialVideoRequestShape, promptTextSchema, videoRequestShape } from './video-request';
import { MODEL_CATALOG, resolveRatio } from './catalog';
import { strictObject } from './strict-object';

export const variantSchema = strictObject({
  id: idSchema('variant id'),
  promptText: promptTextSchema.optional(),
  overrides: partialVideoRequestShape.optional(),
  /**
   * Re-running a campaign whose variant changed: make a new clip under an id derived from the request,
   * archived beside the old one, instead of being refused.
   */
  regenerate: z.boolean().optional(),
});

export const archiveTargetSchema = strictObject({
  bucket: bucketSchema.optional(),
  prefix: keyPrefixSchema.optional(),
});

/**
 * A campaign's options: generation tuning, plus how its orchestration scales. Temporal allows 2,000
 * pending children per workflow, hence the window's ceiling.
 */
export const campaignOptionsSchema = strictObject({
  ...generationOptionsInputSchema.shape,
  /** Children open at once; the next variant starts as one ends. */
  maxOpenVideos: z
    .number()
    .int()
    .min(1)
    .max(2000, "maxOpenVideos is at most 2000 (Temporal's limit on a workflow's pending child workflows)")
    .optional(),
  /** The campaign continues as new after starting this many variants in one run (sooner when Temporal suggests it). */
  continueAsNewEvery: z.number().int().min(1).optional(),
});

/** Everything of a campaign file but its variants: a JSONL campaign's first line. */
export const campaignHeaderSchema = strictObject({
  campaignId: idSchema('campaignId'),
  defaults: partialVideoRequestShape.default({}),
  archive: archiveTargetSchema.default({}),
  options: campaignOptionsSchema.default({}),
});
export type CampaignHeader = z.output<typeof campaignHeaderSchema>;

/** A campaign file (JSON or YAML): one hero setup, many variants (any number: the workflow streams them). */
export const campaignFileSchema = strictObject({
  ...campaignHeaderSchema.shape,
  variants: z.array(variantSchema).min(1, 'variants must list at least one variant'),
}).superRefine((campaign, ctx) => {
  const seen = new Set<string>();
  campaign.variants.forEach((variant, index) => {
    if (seen.has(variant.id)) {
      ctx.addIssue({ code: 'custom', path: ['variants', index, 'id'], message: `duplicate variant id "${variant.id}"` });
    }
    seen.add(variant.id);
    for (const issue of variantRequestIssues(campaign.defaults, variant)) {
      ctx.addIssue({ code: 'custom', path: ['variants', index, ...issue.path], message: issue.message });
    }
  });
});

/** What is wrong with a variant's merged request (schema, then the model catalog); empty when nothing. */
export function variantRequestIssues(
  defaults: PartialRequest,
  variant: z.output<typeof variantSchema>,
): Array<{ path: PropertyKey[]; message: string }> {
  const parsed = videoRequestShape.safeParse(mergeVariant(defaults, variant));
  if (!parsed.success) return parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
  return catalogIssues(parsed.data).map((issue) => ({ path: issue.path, message: issue.message }));
}
export type CampaignFile = z.output<typeof campaignFileSchema>;
export type CampaignFileInput = z.input<typeof campaignFileSchema>;

type PartialRequest = z.output<typeof partialVideoRequestShape>;

/** The full request of one variant: defaults, then the variant's promptText, then its overrides. */
export function mergeVariant(defaults: PartialRequest, variant: z.output<typeof variantSchema>): PartialRequest {
  const merged: PartialRequest = {
    ...defaults,
    ...(variant.promptText !== undefined ? { promptText: variant.promptText } : {}),
    ...variant.overrides,
  };
  return merged;
}

/** Resolve the merged request of a variant that passed the campaign schema. */
export function variantRequest(campaign: CampaignFile, variantId: string) {
  const variant = campaign.variants.find((candidate) => candidate.id === variantId);
  if (!variant) throw new Error(`no variant ${variantId}`);
  return resolveVariantRequest(campaign.defaults, variant);
}

/** The merged request of one variant that passed validation, ratio and duration resolved. */
export function resolveVariantRequest(defaults: PartialRequest, variant: z.output<typeof variantSchema>) {
  const request = videoRequestShape.parse(mergeVariant(defaults, variant));
  return {
    ...request,
    ratio: request.ratio === undefined ? undefined : resolveRatio(request.model, request.ratio),
    duration: request.duration ?? MODEL_CATALOG[request.model].defaultDuration,
  };
}
