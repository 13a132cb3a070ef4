import type { S3Client } from '@aws-sdk/client-s3';
import { resolveGenerationOptions, variantRequest, type CampaignFile, type CampaignWorkflowInput, type ImageRef } from '../schemas';
import { checkLocalImage, resolveRequest } from './stage-image';

export interface PlanContext {
  s3: S3Client;
  /** Bucket and prefix when the campaign file names none. */
  defaultBucket: string;
  defaultPrefix: string;
  baseDir: string;
  taskQueue?: string;
}

/** Check every variant's image before any workflow starts or any byte is staged. */
export async function checkCampaignImages(campaign: CampaignFile, baseDir: string): Promise<void> {
  const sources = new Set(
    campaign.variants
      .map((variant) => variantRequest(campaign, variant.id).promptImage)
      .filter((source): source is string => source !== undefined),
  );
  for (const source of sources) await checkLocalImage(source, baseDir);
}

/** The campaign workflow's input: requests resolved per variant, images staged once each. */
export async function planCampaign(campaign: CampaignFile, context: PlanContext): Promise<CampaignWorkflowInput> {
  await checkCampaignImages(campaign, context.baseDir);
  const bucket = campaign.archive.bucket ?? context.defaultBucket;
  const prefix = campaign.archive.prefix ?? context.defaultPrefix;
  const staged = new Map<string, ImageRef>();
  const target = { s3: context.s3, bucket, prefix, campaignId: campaign.campaignId };
  const variants: CampaignWorkflowInput['variants'] = [];
  for (const variant of campaign.variants) {
    const resolved = await resolveRequest(variantRequest(campaign, variant.id), target, context.baseDir, staged);
    variants.push({ variantId: variant.id, ...resolved, ...(variant.regenerate ? { regenerate: true } : {}) });
  }
  return {
    campaignId: campaign.campaignId,
    variants,
    archive: { bucket, prefix },
    options: resolveGenerationOptions(campaign.options),
    ...(campaign.options.budgetCredits !== undefined ? { budgetCredits: campaign.options.budgetCredits } : {}),
    ...(context.taskQueue ? { taskQueue: context.taskQueue } : {}),
  };
}
