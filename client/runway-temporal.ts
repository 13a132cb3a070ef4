import { type Client } from '@temporalio/client';
import { parseEnv, s3EnvSchema } from '../schemas';
import { createS3Client, s3TargetFromEnv } from '../infra/s3';
import { connectTemporal } from '../infra/temporal';
import type { RunwayTemporalOptions } from './options';
import { Generations } from './generations';
import { Campaigns } from './campaign/campaigns';
import { CampaignSchedules } from './campaign/schedules';
import { BrollProjects } from './broll/projects';
import { Explainers } from './explainer/explainers';
import { webhookDelivery, type WebhookDeliveryView } from './webhook-status';

/**
 * The typed API backend code uses: one sub-client per workload, each with the same verbs (start, progress,
 * waitForResult, cancel), single generations beside them, and campaigns on a schedule.
 */
export class RunwayTemporal {
  /** Single videos and speech outside any workload: startVideo, startSpeech, progress, waitForResult, cancel. */
  readonly generations: Generations;
  /** Campaigns: start, startParsed, progress, waitForResult, cancel. */
  readonly campaigns: Campaigns;
  /** B-roll projects: start, startPlanned, progress, review, approve, reject, finalize, cancel, waitForResult, listAwaitingReview. */
  readonly broll: BrollProjects;
  /** Explainer videos: start, startPlanned, progress, waitForResult, cancel. */
  readonly explainers: Explainers;
  /** Campaigns on a schedule: createSchedule, listSchedules, describeSchedule, pause, unpause, trigger, deleteSchedule. */
  readonly schedules: CampaignSchedules;

  constructor(readonly options: RunwayTemporalOptions) {
    this.generations = new Generations(options);
    this.campaigns = new Campaigns(options);
    this.broll = new BrollProjects(options);
    this.explainers = new Explainers(options);
    this.schedules = new CampaignSchedules(options);
  }

  /**
   * Where the webhook of the workload or generation with this workflow id stands (delivering, with the
   * attempt and last failure while the receiver fails; delivered; failed after 24 h), or undefined.
   */
  webhookDelivery(workflowId: string): Promise<WebhookDeliveryView | undefined> {
    return webhookDelivery(this.options.client, workflowId);
  }

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

  async close(): Promise<void> {
    await this.options.client.connection.close();
    this.options.s3.destroy();
  }
}
