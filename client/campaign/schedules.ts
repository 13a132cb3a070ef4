import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleHandle } from '@temporalio/client';
import { CampaignWorkflow } from '../../workflows';
import { campaignWorkflowInputSchema, type CampaignFile, type CampaignFileInput } from '../../schemas';
import { loadCampaignFile, parseCampaignFile } from './campaign-file';
import { planCampaign } from './campaign-plan';
import { InputError, inputErrorFromZod } from '../input-error';
import type { RunwayTemporalOptions } from '../options';
import { scheduleOptionsSchema, type Overlap, type ScheduleOptionsInput } from './schedule-input';
import { scheduleDetails, scheduleOverview, type ScheduleDetails, type ScheduleMemo, type ScheduleOverview } from './schedule-view';

export interface CreateScheduleRequest extends ScheduleOptionsInput {
  /** A campaign file's path, or a campaign as parsed or written in code. */
  campaign: string | CampaignFileInput;
  /** Where relative image paths of an in-code campaign resolve; a file's own folder otherwise. */
  baseDir?: string;
}

export interface CreatedSchedule {
  scheduleId: string;
  campaignId: string;
  /** Each run's workflow id is this plus "-<scheduled time>"; its campaign id is derived from that. */
  workflowIdPrefix: string;
}

const OVERLAP_POLICY: Record<Overlap, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

/**
 * Campaigns on a schedule. Images are staged once, at creation: every run carries only their S3 references,
 * and derives its own campaign id from its workflow id (the schedule appends the scheduled time), so runs
 * never collide and a retried run redoes no archived work.
 */
export class CampaignSchedules {
  constructor(private readonly options: RunwayTemporalOptions) {}

  async createSchedule(request: CreateScheduleRequest): Promise<CreatedSchedule> {
    const { campaign: source, baseDir, ...rest } = request;
    const parsed = scheduleOptionsSchema.safeParse(rest);
    if (!parsed.success) throw inputErrorFromZod('schedule', parsed.error.issues);
    const options = parsed.data;
    const { campaign, baseDir: imagesDir } =
      typeof source === 'string'
        ? await loadCampaignFile(source)
        : { campaign: parseCampaignFile(source), baseDir: baseDir ?? process.cwd() };
    const input = await planCampaign(campaign, {
      s3: this.options.s3,
      defaultBucket: this.options.bucket,
      defaultPrefix: this.options.prefix,
      baseDir: imagesDir,
    });
    const memo: ScheduleMemo = {
      campaignId: campaign.campaignId,
      variants: campaign.variants.length,
      ...(request.cron ? { cron: request.cron } : {}),
      ...(request.every ? { every: request.every } : {}),
    };
    try {
      await this.options.client.schedule.create({
        scheduleId: options.scheduleId,
        spec: options.cron !== undefined ? { cronExpressions: [options.cron] } : { intervals: [{ every: options.every ?? 0 }] },
        action: {
          type: 'startWorkflow',
          workflowType: CampaignWorkflow,
          workflowId: options.scheduleId,
          taskQueue: this.options.taskQueue,
          // Each run uses this input as given (the workflow parses none): what the schedule holds is checked here.
          args: [campaignWorkflowInputSchema.parse({ ...input, taskQueue: this.options.taskQueue, campaignIdFromWorkflowId: true })],
          memo: { campaign: campaign.campaignId, schedule: options.scheduleId, variants: campaign.variants.length },
          staticSummary: runSummary(campaign, options.scheduleId),
        },
        policies: { overlap: OVERLAP_POLICY[options.overlap] },
        state: { paused: options.paused, ...(options.note ? { note: options.note } : {}) },
        memo: { ...memo },
      });
    } catch (error) {
      if (error instanceof ScheduleAlreadyRunning)
        throw new InputError('scheduleId', `schedule ${options.scheduleId} already exists; delete it first or choose another id`);
      throw error;
    }
    return { scheduleId: options.scheduleId, campaignId: campaign.campaignId, workflowIdPrefix: `${options.scheduleId}-` };
  }

  async listSchedules(): Promise<ScheduleOverview[]> {
    const schedules: ScheduleOverview[] = [];
    for await (const summary of this.options.client.schedule.list()) {
      if (summary.action?.type === 'startWorkflow' && summary.action.workflowType !== CampaignWorkflow.name) continue;
      schedules.push(scheduleOverview(summary));
    }
    return schedules;
  }

  describeSchedule(scheduleId: string): Promise<ScheduleDetails> {
    return this.onSchedule(scheduleId, async (handle) => scheduleDetails(await handle.describe()));
  }

  pause(scheduleId: string, note = 'paused from runway-temporal'): Promise<void> {
    return this.onSchedule(scheduleId, (handle) => handle.pause(note));
  }

  unpause(scheduleId: string, note = 'unpaused from runway-temporal'): Promise<void> {
    return this.onSchedule(scheduleId, (handle) => handle.unpause(note));
  }

  /** Start a run now (a paused schedule too); the schedule's overlap policy applies unless overridden. */
  trigger(scheduleId: string, overlap?: Overlap): Promise<void> {
    return this.onSchedule(scheduleId, (handle) => handle.trigger(overlap ? OVERLAP_POLICY[overlap] : undefined));
  }

  /** Removes the schedule; runs already started go on. */
  deleteSchedule(scheduleId: string): Promise<void> {
    return this.onSchedule(scheduleId, (handle) => handle.delete());
  }

  private async onSchedule<T>(scheduleId: string, act: (handle: ScheduleHandle) => Promise<T>): Promise<T> {
    if (scheduleId.trim() === '') throw new InputError('scheduleId', 'a schedule id is required');
    try {
      return await act(this.options.client.schedule.getHandle(scheduleId));
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw new InputError('scheduleId', `no schedule ${scheduleId}`);
      throw error;
    }
  }
}

function runSummary(campaign: CampaignFile, scheduleId: string): string {
  return `scheduled campaign ${campaign.campaignId} (${scheduleId}): ${campaign.variants.length} variants`;
}
