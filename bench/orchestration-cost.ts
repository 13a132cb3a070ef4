import type { Client } from '@temporalio/client';
import { runChain, signalsOf, videoHistoryFacts, type RunHistoryFacts, type TimeWindow } from './history-metrics';
import { round } from './resource-sampler';

/** What orchestrating one video cost Temporal and the worker, from the stored histories and CPU counters. */
export interface OrchestrationCost {
  videos: number;
  /** Video histories read: all of them in the makespan run, a spread sample in the scale probe. */
  videosRead: number;
  eventsPerVideo: { mean: number; max: number };
  /**
   * SignalExternalWorkflowExecutionInitiated + WorkflowExecutionSignaled of the videos (mean of those
   * read), plus those of the lease pool (during the run) and of every run of the campaign, over the videos.
   */
  signalsPerVideo: number;
  signals: { perVideoRead: number; pool: number; parent: number };
  workerCpuSec: number;
  serverCpuSec: number;
  workerCpuSecPerVideo: number;
  serverCpuSecPerVideo: number;
}

export interface MeasuredCampaign {
  campaignId: string;
  videos: number;
  videoIds: readonly string[];
  poolId: string;
  window: TimeWindow;
  workerCpuSec: number;
  serverCpuSec: number;
}

export async function orchestrationCost(
  client: Client,
  campaign: MeasuredCampaign,
): Promise<{ cost: OrchestrationCost; parentRuns: RunHistoryFacts[] }> {
  const videos = await videoHistoryFacts(client, campaign.videoIds);
  const parentRuns = await runChain(client, campaign.campaignId);
  // The pool outlives the campaign (and serves the warm-up and other rounds): only what happened in the run counts.
  const poolRuns = await runChain(client, campaign.poolId, [campaign.window[0], campaign.window[1] + 1000]);
  const events = videos.map((video) => video.events);
  const perVideoRead = videos.length > 0 ? signalsOf(videos) / videos.length : 0;
  const pool = signalsOf(poolRuns);
  const parent = signalsOf(parentRuns);
  return {
    cost: {
      videos: campaign.videos,
      videosRead: videos.length,
      eventsPerVideo: { mean: round(events.reduce((a, b) => a + b, 0) / Math.max(1, events.length), 1), max: Math.max(0, ...events) },
      signalsPerVideo: round(perVideoRead + (pool + parent) / campaign.videos, 2),
      signals: { perVideoRead: round(perVideoRead, 2), pool, parent },
      workerCpuSec: round(campaign.workerCpuSec, 2),
      serverCpuSec: round(campaign.serverCpuSec, 2),
      workerCpuSecPerVideo: round(campaign.workerCpuSec / campaign.videos, 4),
      serverCpuSecPerVideo: round(campaign.serverCpuSec / campaign.videos, 4),
    },
    parentRuns,
  };
}
