import { extname } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { CampaignWorkflow, VideoGenerationWorkflow, videoWorkflowId } from '../workflows';
import { progressQuery, videoProgressQuery } from '../workflows/messages';
import { CampaignIdKey } from '../workflows/search-attributes';
import { videoVisibility } from '../workflows/video-visibility';
import {
  creditsFor,
  parseEnv,
  requestCredits,
  resolveGenerationOptions,
  s3EnvSchema,
  type CampaignFile,
  type CampaignFileInput,
  type CampaignProgress,
  type CampaignResult,
  type CampaignVariant,
  type ResolvedGenerationRequest,
  type VideoResult,
  type VideoProgress,
} from '../schemas';
import { createS3Client, s3TargetFromEnv } from '../infra/s3';
import { loadCampaignFile, parseCampaign } from './campaign-file';
import { planCampaign, type CampaignSource } from './campaign-plan';
import { loadCampaignJsonl } from './campaign-jsonl';
import { InputError } from './input-error';
import { CampaignSchedules } from './schedules';
import { BrollProjects } from './broll';
import { Explainers } from './explainer';
import { resolveRequest } from './stage-image';
import { requestFingerprint } from '../infra/request-fingerprint';
import { parsedOrThrow, parseSpeechStart, parseVideoStart, type SpeechStartRequest, type VideoStartRequest } from './video-start';

export type { SpeechStartRequest, VideoStartRequest } from './video-start';
import { connectTemporal } from '../infra/temporal';

export interface RunwayTemporalOptions {
  client: Client;
  s3: S3Client;
  taskQueue: string;
  bucket: string;
  prefix: string;
}

export interface StartedCampaign {
  campaignId: string;
  workflowId: string;
  runId: string;
}

/** The typed API backend code uses: start, watch, wait for and cancel campaigns and single videos. */
export class RunwayTemporal {
  constructor(readonly options: RunwayTemporalOptions) {}

  /** Connect from the environment (TEMPORAL_*, S3_*, AWS_*, TASK_QUEUE). */
  static async fromEnv(env: NodeJS.ProcessEnv = process.env): Promise<RunwayTemporal> {
    // Configuration first: a bad S3_PREFIX must not leave a Temporal connection open behind its error.
    const s3Env = parseEnv(s3EnvSchema, env);
    const { client, config } = await connectTemporal(env);
    return new RunwayTemporal({
      client,
      s3: createS3Client(s3TargetFromEnv(s3Env)),
      taskQueue: config.TASK_QUEUE,
      bucket: s3Env.S3_BUCKET,
      prefix: s3Env.S3_PREFIX,
    });
  }

  get client(): Client {
    return this.options.client;
  }

  private campaignSchedules: CampaignSchedules | undefined;

  /** Campaigns on a schedule: createSchedule, listSchedules, describeSchedule, pause, unpause, trigger, deleteSchedule. */
  get schedules(): CampaignSchedules {
    this.campaignSchedules ??= new CampaignSchedules(this.options);
    return this.campaignSchedules;
  }

  private brollProjects: BrollProjects | undefined;

  /** B-roll projects: startPlanned, progress, review, approve, reject, finalize, cancel, waitForResult, listAwaitingReview. */
  get broll(): BrollProjects {
    this.brollProjects ??= new BrollProjects(this.options);
    return this.brollProjects;
  }

  private explainers: Explainers | undefined;

  /** Explainer videos: startPlanned, progress, waitForResult, cancel. */
  get explainer(): Explainers {
    this.explainers ??= new Explainers(this.options);
    return this.explainers;
  }

  /**
   * Validate, stage images and start a campaign. The workflow id is the campaign id: starting a running
   * campaign again attaches to it; re-running a finished one reuses every archived variant.
   */
  async startCampaign(source: string | CampaignFileInput, baseDir = process.cwd()): Promise<StartedCampaign> {
    if (typeof source === 'string' && extname(source).toLowerCase() === '.jsonl') {
      const loaded = await loadCampaignJsonl(source);
      return this.startParsedCampaign(loaded.source, loaded.baseDir);
    }
    const loaded = typeof source === 'string' ? await loadCampaignFile(source) : { campaign: parseCampaign(source), baseDir };
    return this.startParsedCampaign(loaded.campaign, loaded.baseDir);
  }

  /**
   * Start a validated campaign (a parsed JSON/YAML file, or a JSONL file's streaming source): images
   * staged, variants resolved (to S3 parts when large), changed variants refused, then the workflow.
   */
  async startParsedCampaign(
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
    const handle = await this.client.workflow.start(CampaignWorkflow, {
      workflowId,
      taskQueue: this.options.taskQueue,
      args: [{ ...input, taskQueue: this.options.taskQueue }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaignId }],
      memo: { variants: count },
      staticSummary: `campaign ${campaignId}: ${count} variants`,
    });
    return { campaignId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  /**
   * Whether any workflow of this campaign id exists. Visibility lags a start by a moment; a video it misses
   * is still checked by the campaign itself, which refuses to reuse a clip made from a different request.
   */
  private async hasRunBefore(campaignId: string): Promise<boolean> {
    const { count } = await this.client.workflow.count(`${CampaignIdKey.name} = ${JSON.stringify(campaignId)}`);
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
          const previous = await this.archivedFingerprint(videoWorkflowId(campaignId, variant.variantId));
          if (previous !== 'none' && previous !== variant.fingerprint) changed.push(variant.variantId);
        }),
      );
    }
    return changed;
  }

  /** The fingerprint of the video a re-run would reuse; 'none' when a new run would start; undefined when unknown. */
  private async archivedFingerprint(workflowId: string): Promise<string | undefined | 'none'> {
    const handle = this.client.workflow.getHandle<typeof VideoGenerationWorkflow>(workflowId);
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

  /** One video on its own (no campaign): same workflow, campaign id "single". */
  async startVideo(request: VideoStartRequest): Promise<WorkflowHandleWithFirstExecutionRunId<typeof VideoGenerationWorkflow>> {
    const parts = parseVideoStart(request);
    const videoId = parsedOrThrow('videoId', parts.videoId);
    const fields = parsedOrThrow('video request', parts.request);
    const options = parsedOrThrow('options', parts.options);
    const archive = parsedOrThrow('archive', parts.archive);
    const budgetCredits = options.budgetCredits;
    const estimate = creditsFor(fields.model, fields.duration);
    if (budgetCredits !== undefined && budgetCredits < estimate) {
      throw new InputError(
        'options.budgetCredits',
        `${budgetCredits} credits do not cover one submission: ${fields.model} for ${fields.duration} s is estimated at ${estimate} credits`,
      );
    }
    const bucket = archive.bucket ?? this.options.bucket;
    const prefix = archive.prefix ?? this.options.prefix;
    const { request: resolved, fingerprint } = await resolveRequest(
      fields,
      { s3: this.options.s3, bucket, prefix, campaignId: 'single' },
      process.cwd(),
    );
    return this.startSingle(videoId, resolved, fingerprint, options, { bucket, prefix }, `video ${videoId}`);
  }

  /**
   * One text-to-speech task on its own: the same generation workflow (cap, polling, resubmission, failure
   * classes, archive with sha256) with a speech request; the audio lands at `<prefix>single/<speechId>/<taskId>.mp3`.
   * Bad input (unknown voice or model, empty or too-long text, a budget below one submission) is an
   * InputError naming the field, before anything starts.
   */
  async startSpeech(request: SpeechStartRequest): Promise<WorkflowHandleWithFirstExecutionRunId<typeof VideoGenerationWorkflow>> {
    const parts = parseSpeechStart(request);
    const speechId = parsedOrThrow('speechId', parts.speechId);
    const resolved = parsedOrThrow('speech request', parts.request);
    const options = parsedOrThrow('options', parts.options);
    const archive = parsedOrThrow('archive', parts.archive);
    const estimate = requestCredits(resolved);
    if (options.budgetCredits !== undefined && options.budgetCredits < estimate) {
      throw new InputError(
        'options.budgetCredits',
        `${options.budgetCredits} credits do not cover one submission: ${resolved.model} for ${resolved.promptText.length} characters is estimated at ${estimate} credits`,
      );
    }
    const destination = { bucket: archive.bucket ?? this.options.bucket, prefix: archive.prefix ?? this.options.prefix };
    return this.startSingle(speechId, resolved, requestFingerprint(resolved), options, destination, `speech ${speechId}`);
  }

  private startSingle(
    id: string,
    request: ResolvedGenerationRequest,
    fingerprint: string,
    options: Parameters<typeof resolveGenerationOptions>[0] & {},
    archive: { bucket: string; prefix: string },
    label: string,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof VideoGenerationWorkflow>> {
    const budgetCredits = options.budgetCredits;
    return this.client.workflow.start(VideoGenerationWorkflow, {
      workflowId: `single--${id}`,
      taskQueue: this.options.taskQueue,
      args: [
        {
          videoId: id,
          campaignId: 'single',
          variantId: id,
          request,
          archive,
          options: resolveGenerationOptions(options),
          ...(budgetCredits !== undefined ? { budgetCredits } : {}),
          fingerprint,
        },
      ],
      ...videoVisibility({ campaignId: 'single', variantId: id, request, fingerprint, label }),
    });
  }

  getProgress(campaignId: string): Promise<CampaignProgress> {
    return this.client.workflow.getHandle(campaignId).query(progressQuery);
  }

  getVideoProgress(workflowId: string): Promise<VideoProgress> {
    return this.client.workflow.getHandle(workflowId).query(videoProgressQuery);
  }

  waitForResult(campaignId: string): Promise<CampaignResult> {
    return this.client.workflow.getHandle<typeof CampaignWorkflow>(campaignId).result();
  }

  waitForVideo(workflowId: string): Promise<VideoResult> {
    return this.client.workflow.getHandle<typeof VideoGenerationWorkflow>(workflowId).result();
  }

  /** Cancels the workflow; its video workflows DELETE their remote Runway tasks. */
  async cancel(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).cancel();
  }

  async close(): Promise<void> {
    await this.client.connection.close();
    this.options.s3.destroy();
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
