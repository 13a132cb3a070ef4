import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  requestCredits,
  resolveGenerationOptions,
  resolveVariantRequest,
  type CampaignFile,
  type CampaignHeader,
  type CampaignVariant,
  type CampaignWorkflowInput,
  type ImageRef,
  type VariantPages,
  type variantSchema,
} from '../../schemas';
import { variantPartKey } from '../../schemas/object-keys';
import type { z } from 'zod';
import type { PlanContext } from '../plan-context';
import { checkLocalImage, resolveRequest } from '../stage-image';

export interface CampaignPlanContext extends PlanContext {
  /** Called with each batch of resolved variants before the workflow starts (the re-run check). */
  onResolved?: (variants: CampaignVariant[]) => Promise<void>;
}

type FileVariant = z.output<typeof variantSchema>;

/**
 * A validated campaign, its variants read on demand: a JSON/YAML file's array, or a JSONL file read line
 * by line again, so a campaign of any size never sits in memory as one document.
 */
export interface CampaignSource {
  header: CampaignHeader;
  count: number;
  /** Every distinct local or data-URI prompt image, found by the validating pass. */
  images: ReadonlySet<string>;
  variants: () => AsyncIterable<FileVariant>;
}

export function sourceOfCampaign(campaign: CampaignFile): CampaignSource {
  const { variants, ...header } = campaign;
  const images = new Set<string>();
  for (const variant of variants) {
    const image = resolveVariantRequest(header.defaults, variant).promptImage;
    if (image !== undefined) images.add(image);
  }
  return {
    header,
    count: variants.length,
    images,
    variants: async function* () {
      yield* variants;
    },
  };
}

/** A campaign of at most this many variants goes inline in the workflow input; a larger one by reference to S3 parts. */
export const INLINE_VARIANTS_LIMIT = 100;
/** Variants per S3 part: a page the workflow reads in one activity result, well under Temporal's 2 MB payload limit even with 1,000-character prompts. */
export const VARIANTS_PER_PART = 250;

/** Check every variant's image before any workflow starts or any byte is staged. */
export async function checkCampaignImages(campaign: CampaignFile | CampaignSource, baseDir: string): Promise<void> {
  const source = 'header' in campaign ? campaign : sourceOfCampaign(campaign);
  for (const image of source.images) await checkLocalImage(image, baseDir);
}

/**
 * The campaign workflow's input: requests resolved per variant, images staged once each. A small campaign
 * carries its variants inline; a larger one is written to S3 as JSONL parts (content-addressed, so a part
 * never changes under a running campaign) and the input carries their keys, count and digests.
 */
export async function planCampaign(campaign: CampaignFile | CampaignSource, context: CampaignPlanContext): Promise<CampaignWorkflowInput> {
  const source = 'header' in campaign ? campaign : sourceOfCampaign(campaign);
  await checkCampaignImages(source, context.baseDir);
  const { header } = source;
  const bucket = header.archive.bucket ?? context.defaultBucket;
  const prefix = header.archive.prefix ?? context.defaultPrefix;
  const staged = new Map<string, ImageRef>();
  const target = { s3: context.s3, bucket, prefix, workloadId: header.campaignId };
  const inline = source.count <= INLINE_VARIANTS_LIMIT;
  const variants: CampaignVariant[] = [];
  const parts = new VariantPartWriter(context.s3, bucket, prefix, header.campaignId);
  let batch: CampaignVariant[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await context.onResolved?.(batch);
    if (inline) variants.push(...batch);
    else await parts.write(batch);
    batch = [];
  };
  for await (const variant of source.variants()) {
    const resolved = await resolveRequest(resolveVariantRequest(header.defaults, variant), target, context.baseDir, staged);
    batch.push({ variantId: variant.id, ...resolved, ...(variant.regenerate ? { regenerate: true } : {}) });
    if (batch.length >= VARIANTS_PER_PART) await flush();
  }
  await flush();
  const { maxOpenVideos, continueAsNewEvery, ...generation } = header.options;
  return {
    campaignId: header.campaignId,
    variants,
    ...(inline ? {} : { variantPages: parts.pages() }),
    archive: { bucket, prefix },
    options: resolveGenerationOptions(generation),
    ...(generation.budgetCredits !== undefined ? { budgetCredits: generation.budgetCredits } : {}),
    ...(maxOpenVideos !== undefined ? { maxOpenVideos } : {}),
    ...(continueAsNewEvery !== undefined ? { continueAsNewEvery } : {}),
    ...(context.taskQueue ? { taskQueue: context.taskQueue } : {}),
  };
}

/** Writes resolved variants as JSONL parts under `<prefix><campaignId>/inputs/variants/`, keyed by their sha256. */
class VariantPartWriter {
  private readonly keys: string[] = [];
  private readonly digests: string[] = [];
  private readonly whole = createHash('sha256');
  private readonly models = new Set<string>();
  private count = 0;
  private estimatedCredits = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly campaignId: string,
  ) {}

  async write(variants: CampaignVariant[]): Promise<void> {
    const body = variants.map((variant) => JSON.stringify(variant)).join('\n') + '\n';
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = variantPartKey(this.prefix, this.campaignId, sha256);
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
    this.keys.push(key);
    this.digests.push(sha256);
    this.whole.update(body);
    this.count += variants.length;
    for (const variant of variants) {
      this.models.add(variant.request.model);
      this.estimatedCredits += requestCredits(variant.request);
    }
  }

  pages(): VariantPages {
    return {
      bucket: this.bucket,
      keys: this.keys,
      perPart: VARIANTS_PER_PART,
      count: this.count,
      partSha256: this.digests,
      sha256: this.whole.digest('hex'),
      models: [...this.models] as VariantPages['models'],
      estimatedCredits: this.estimatedCredits,
    };
  }
}
