import { extname } from 'node:path';
import { WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { CampaignWorkflow, type GenerationWorkflow } from '../../workflows';
import { variantWorkflowId } from '../../workflows/campaign/ids';
import { campaignProgressQuery } from '../../workflows/messages';
import { WorkloadIdKey } from '../../workflows/search-attributes';
import {
  campaignWorkflowInputSchema,
  type CampaignFile,
  type CampaignFileInput,
  type CampaignProgress,
  type CampaignResult,
  type CampaignVariant,
} from '../../schemas';
import { DEFAULT_PRIORITY, temporalPriority } from '../../schemas/priority-classes';
import { InputError } from '../input-error';
import type { RunwayTemporalOptions } from '../options';
import { loadCampaignFile, parseCampaignFile } from './campaign-file';
import { loadCampaignJsonl } from './campaign-jsonl';
import { planCampaign, type CampaignSource } from './campaign-plan';

export interface StartedCampaign {
  campaignId: string;
  workflowId: string;
  runId: string;
}

/**
 * Campaigns: start one from its file (JSON, YAML or JSONL) or as parsed, follow it, wait for its result,
 * cancel it. The workflow id is the campaign id: starting a running campaign again attaches to it;
 * re-running a finished one reuses every archived variant.
 */
export class Campaigns {
  constructor(private readonly options: RunwayTemporalOptions) {}

  /** Validate, stage images and start a campaign. */
  async start(source: string | CampaignFileInput, baseDir = process.cwd()): Promise<StartedCampaign> {
    if (typeof source === 'string' && extname(source).toLowerCase() === '.jsonl') {
      const loaded = await loadCampaignJsonl(source);
      return this.startParsed(loaded.source, loaded.baseDir);
    }
    const loaded = typeof source === 'string' ? await loadCampaignFile(source) : { campaign: parseCampaignFile(source), baseDir };
    return this.startParsed(loaded.campaign, loaded.baseDir);
  }

  /**
   * Start a validated campaign (a parsed JSON/YAML file, or a JSONL file's streaming source): images
   * staged, variants resolved (to S3 parts when large), changed variants refused, then the workflow.
   */
  async startParsed(
    campaign: CampaignFile | CampaignSource,
    baseDir: string,
    workflowId = ('header' in campaign ? campaign.header : campaign).campaignId,
  ): Promise<StartedCampaign> {
    const campaignId = ('header' in campaign ? campaign.header : campaign).campaignId;
    const count = 'header' in campaign ? campaign.count : campaign.variants.length;
    const changed: string[] = [];
    // A campaign id that has never run has nothing to reuse: one visibility count spares a describe per variant.
    const ranBefore = await this.hasRunBefore(campaignId);
    const input = await planCampaign(campaign, {
      s3: this.options.s3,
      defaultBucket: this.options.bucket,
      defaultPrefix: this.options.prefix,
      baseDir,
      onResolved: async (variants) => {
        if (ranBefore) changed.push(...(await this.changedVariants(campaignId, variants)));
      },
    });
    refuseChangedVariants(campaignId, changed);
    const handle = await this.options.client.workflow.start(CampaignWorkflow, {
      workflowId,
      taskQueue: this.options.taskQueue,
      // The workflow uses its input as given (it parses none, to stay light): what is sent is checked here.
      args: [campaignWorkflowInputSchema.parse({ ...input, taskQueue: this.options.taskQueue })],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [{ key: WorkloadIdKey, value: campaignId }],
      memo: { variants: count },
      staticSummary: `campaign ${campaignId}: ${count} variants`,
      priority: temporalPriority(input.options.priority, DEFAULT_PRIORITY.campaign),
    });
    return { campaignId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  progress(campaignId: string): Promise<CampaignProgress> {
    return this.options.client.workflow.getHandle(campaignId).query(campaignProgressQuery);
  }

  waitForResult(campaignId: string): Promise<CampaignResult> {
    return this.options.client.workflow.getHandle<typeof CampaignWorkflow>(campaignId).result();
  }

  /** Cancels the campaign; its generations DELETE their remote Runway tasks. */
  async cancel(campaignId: string): Promise<void> {
    await this.options.client.workflow.getHandle(campaignId).cancel();
  }

  /**
   * Whether any workflow of this campaign id exists. Visibility lags a start by a moment; a generation it
   * misses is still checked by the campaign itself, which refuses to reuse a clip made from a different request.
   */
  private async hasRunBefore(campaignId: string): Promise<boolean> {
    const { count } = await this.options.client.workflow.count(`${WorkloadIdKey.name} = ${JSON.stringify(campaignId)}`);
    return count > 0;
  }

  /**
   * A re-run reuses the clip archived under `<campaignId>--<variantId>`: the variants of this batch whose
   * archived clip was made from a different request than the variant now asks for.
   */
  private async changedVariants(campaignId: string, batch: CampaignVariant[]): Promise<string[]> {
    const changed: string[] = [];
    const variants = batch.filter((variant) => !variant.regenerate);
    for (let start = 0; start < variants.length; start += 20) {
      await Promise.all(
        variants.slice(start, start + 20).map(async (variant) => {
          const previous = await this.archivedFingerprint(variantWorkflowId(campaignId, variant.variantId));
          if (previous !== 'none' && previous !== variant.fingerprint) changed.push(variant.variantId);
        }),
      );
    }
    return changed;
  }

  /** The fingerprint of the clip a re-run would reuse; 'none' when a new run would start; undefined when unknown. */
  private async archivedFingerprint(workflowId: string): Promise<string | undefined | 'none'> {
    const handle = this.options.client.workflow.getHandle<typeof GenerationWorkflow>(workflowId);
    let description;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'none';
      throw error;
    }
    // The campaign starts a variant again only when its last run did not complete.
    if (['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'].includes(description.status.name)) return 'none';
    const memo = description.memo?.fingerprint;
    if (typeof memo === 'string') return memo;
    if (description.status.name !== 'COMPLETED') return undefined;
    return (await handle.result()).fingerprint;
  }
}

/** Refuse, before anything starts, a re-run whose variants changed since their clips were archived. */
function refuseChangedVariants(campaignId: string, changed: string[]): void {
  if (changed.length === 0) return;
  changed.sort();
  throw new InputError(
    'variants',
    `campaign ${campaignId} already archived ${changed.join(', ')} from a different request (model, prompt, image, ratio, duration, seed or options that change the output); ` +
      `re-running would not make the new clip. Give ${changed.length === 1 ? 'that variant' : 'those variants'} a new id, or set "regenerate": true on ${changed.length === 1 ? 'it' : 'them'} to archive a new clip beside the old one`,
  );
}
