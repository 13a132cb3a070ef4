import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { generationOptionsInputSchema } from './options';
import { catalogIssues, partialVideoRequestShape, promptTextSchema, videoRequestShape } from './video-request';
import { MODEL_CATALOG, resolveRatio } from './catalog';
import { strictObject } from './strict-object';

/**
 * A campaign starts every child at once and Temporal allows 2,000 pending children per workflow; the
 * campaign's signals, history and result stay well inside their limits at that size (npm run bench).
 */
export const MAX_VARIANTS = 2000;

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

/** A campaign file (JSON or YAML): one hero setup, many variants. */
export const campaignFileSchema = strictObject({
  campaignId: idSchema('campaignId'),
  defaults: partialVideoRequestShape.default({}),
  variants: z
    .array(variantSchema)
    .min(1, 'variants must list at least one variant')
    .max(
      MAX_VARIANTS,
      `at most ${MAX_VARIANTS} variants per campaign (Temporal's limit on pending child workflows): split the batch into several campaigns`,
    ),
  archive: archiveTargetSchema.default({}),
  options: generationOptionsInputSchema.default({}),
}).superRefine((campaign, ctx) => {
  const seen = new Set<string>();
  campaign.variants.forEach((variant, index) => {
    if (seen.has(variant.id)) {
      ctx.addIssue({ code: 'custom', path: ['variants', index, 'id'], message: `duplicate variant id "${variant.id}"` });
    }
    seen.add(variant.id);
    const merged = mergeVariant(campaign.defaults, variant);
    const parsed = videoRequestShape.safeParse(merged);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['variants', index, ...issue.path], message: issue.message });
      }
      return;
    }
    for (const issue of catalogIssues(parsed.data)) {
      ctx.addIssue({ code: 'custom', path: ['variants', index, ...issue.path], message: issue.message });
    }
  });
});
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
  const request = videoRequestShape.parse(mergeVariant(campaign.defaults, variant));
  return {
    ...request,
    ratio: request.ratio === undefined ? undefined : resolveRatio(request.model, request.ratio),
    duration: request.duration ?? MODEL_CATALOG[request.model].defaultDuration,
  };
}
