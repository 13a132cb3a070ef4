import type { Client } from '@temporalio/client';
import { runChain, signalsOf, videoHistoryFacts, type RunHistoryFacts, type TimeWindow } from './history-metrics';
import { round } from './resource-sampler';
import { total, type ServerCounters } from './server-metrics';

/** What the Temporal server did per video, counted by the server itself (its `/metrics`). */
export interface ServerWork {
  /** Frontend RPCs of every kind (polls, completions, signals, heartbeats…): the round-trips. */
  rpcsPerVideo: number;
  /** RespondWorkflowTaskCompleted: workflow tasks of the video, its share of the pool's and the campaign's. */
  workflowTasksPerVideo: number;
  signalsPerVideo: number;
  /** Persistence operations (reads and writes) the server ran. */
  persistenceOpsPerVideo: number;
  /** UpdateWorkflowExecution: each is a write of an execution's state. */
  stateWritesPerVideo: number;
  rpcs: Record<string, number>;
}

export function serverWork(counters: ServerCounters, videos: number): ServerWork {
  const per = (value: number | undefined) => round((value ?? 0) / videos, 2);
  return {
    rpcsPerVideo: per(total(counters.rpcs)),
    workflowTasksPerVideo: per(counters.rpcs.RespondWorkflowTaskCompleted),
    signalsPerVideo: per((counters.rpcs.SignalWorkflowExecution ?? 0) + (counters.rpcs.SignalWithStartWorkflowExecution ?? 0)),
    persistenceOpsPerVideo: per(total(counters.persistence)),
    stateWritesPerVideo: per(counters.persistence.UpdateWorkflowExecution),
    rpcs: Object.fromEntries(Object.entries(counters.rpcs).map(([operation, value]) => [operation, per(value)])),
  };
}

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
  server?: ServerWork;
}

export interface MeasuredCampaign {
  campaignId: string;
  videos: number;
  videoIds: readonly string[];
  poolId: string;
  window: TimeWindow;
  workerCpuSec: number;
  serverCpuSec: number;
  /** The server's counters over the run, when it serves metrics. */
  serverCounters?: ServerCounters;
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
      ...(campaign.serverCounters ? { server: serverWork(campaign.serverCounters, campaign.videos) } : {}),
    },
    parentRuns,
  };
}
