import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { generationOptionsInputSchema, generationOptionsSchema } from './options';
import { catalogIssues, partialVideoRequestShape, promptTextSchema, videoRequestShape } from './video-request';
import { MODEL_CATALOG, resolveRatio } from './catalog';
import { modelIdSchema } from './model-ids';
import { strictObject } from './strict-object';
import {
  archiveDestinationSchema,
  fingerprintSchema,
  resolvedVideoRequestSchema,
  type GenerationError,
  type GenerationResult,
  type GenerationState,
} from './generation';

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

// ── The CampaignWorkflow's input, carry, progress and result ─────────────────────────────────────────

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
  /** The credit book's open entries (billed so far, reserved for the open submission) and what ended billed. */
  creditBook: z.object({
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

export interface VariantOutcome {
  variantId: string;
  workflowId: string;
  state: GenerationState;
  result?: GenerationResult;
  error?: GenerationError;
  /** The clip was archived by an earlier run of this campaign: nothing was billed for it in this run. */
  reused?: boolean;
  /** Credits Runway billed for this variant in this run, net of refunds (also when it failed). */
  credits: number;
}

export interface CampaignProgress {
  campaignId: string;
  total: number;
  counts: Record<GenerationState, number>;
  /** The variants open now, then the most recently ended (bounded: a campaign of any size answers in one small payload). */
  variants: Array<{ variantId: string; state: GenerationState; runwayTaskId?: string; submissions?: number; error?: string }>;
  /** The most recently failed variants (bounded). */
  failed?: Array<{ variantId: string; state: GenerationState; error?: string }>;
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
  /** The plan's estimate at list price (one submission per generation), beside `credits`, Runway's bill. */
  estimatedCredits?: number;
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
