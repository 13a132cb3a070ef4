import { variantWorkflowId } from '../workflows/campaign/ids';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { BENCH_SEED, CAP, benchPrompts } from './bench-config';
import type { BenchStack } from './bench-stack';
import { sampleIds } from './history-metrics';
import type { CampaignHistoryFacts } from './payload-sizes';
import { startProduct } from './product-workers';
import { round, startRssTimeline } from './resource-sampler';
import type { CampaignLimit } from './temporal-limits';
import { benchCampaign, variantId } from './campaign-file';
import { childProcessCpuSeconds, cpuDelta } from './child-process-cpu';
import { counterDelta, readServerCounters } from './server-metrics';
import { orchestrationCost, type OrchestrationCost } from './orchestration-cost';
import type { RssTrend } from './stats';
import { leasePoolWorkflowId } from '../workflows/messages';

const SCALE_SIMULATOR = {
  timeScale: 600,
  seed: BENCH_SEED,
  concurrency: CAP,
  pendingSeconds: 6,
  generationSeconds: { kind: 'uniform', min: 60, max: 120 },
};
const SCALE_OPTIONS = { pollInterval: 100, pollJitter: 0.1 };
/** Children whose histories are read for events and signals per video: a spread over the campaign. */
const CHILD_SAMPLE = 50;
const RSS_INTERVAL_MS = 2_000;

/** Ten minutes, plus a second per variant: a run slower than 1 video/s still ends with its figures. */
function timeoutMs(variants: number): number {
  return 10 * 60_000 + variants * 1_000;
}

export interface ScaleProbe {
  variants: number;
  completed: boolean;
  error?: string;
  /** Wall time from the campaign's start to its result (validation and planning in the client excluded). */
  seconds: number;
  archived: number;
  failed: number;
  throttled: number;
  simulator: typeof SCALE_SIMULATOR;
  options: typeof SCALE_OPTIONS;
  /** The client's validate + plan + start before the campaign ran (not in `seconds`). */
  clientStartSeconds?: number;
  /** Videos that ended (archived or failed) per second of `seconds`: the orchestration's rate when generation is near-instant. */
  throughputVideosPerSec?: number;
  /** Runs of the campaign's continue-as-new chain and the most children open at once, as its result says. */
  runs?: number;
  maxOpen?: number;
  /** Every run of the campaign: its events, size and signals (the limits apply to each run). */
  parentRuns?: Array<{ runId: string; events: number; bytes: number | undefined; signalsReceived: number; signalsSent: number }>;
  orchestration?: OrchestrationCost;
  /** RSS of this process (both workers and the client) over the run. */
  rss?: RssTrend;
  /** Files before 2026-12: the one run's facts and limits extrapolated per variant. */
  parent?: CampaignHistoryFacts & { bytes: number | undefined };
  childEventsSample?: number[];
  limits?: CampaignLimit[];
  ceiling?: CampaignLimit;
}

/**
 * One campaign of `variants` on a heavily time-scaled simulator (0.1–0.2 s generations), so the
 * orchestration is the bottleneck: its throughput, cost per video, every run's history and the worker's
 * memory over time. Only the campaign's own work is timed; what is read afterwards (histories) is not.
 */
export async function runScaleProbe(
  bench: BenchStack,
  bundle: WorkflowBundleWithSourceMap,
  options: { variants: number; log: (line: string) => void },
): Promise<ScaleProbe> {
  options.log(`bench: scale probe, ${options.variants} variants (timeScale ${SCALE_SIMULATOR.timeScale})`);
  await bench.sim.reset(SCALE_SIMULATOR);
  const product = await startProduct(bench, { name: 'scale', cap: CAP, bundle, timeScale: SCALE_SIMULATOR.timeScale });
  const campaignId = `scale-${options.variants}`;
  const base = { variants: options.variants, simulator: SCALE_SIMULATOR, options: SCALE_OPTIONS };
  let startedAt = Date.now();
  let rss: ReturnType<typeof startRssTimeline> | undefined;
  try {
    const campaign = benchCampaign(campaignId, benchPrompts(options.variants), SCALE_OPTIONS);
    const clientStartedAt = Date.now();
    await product.api.campaigns.start(campaign);
    startedAt = Date.now();
    const clientStartSeconds = round((startedAt - clientStartedAt) / 1000, 1);
    options.log(`bench: scale campaign started (client side ${clientStartSeconds} s), waiting for its result`);
    const cpuBefore = process.cpuUsage();
    const servicesBefore = childProcessCpuSeconds();
    const countersBefore = await readServerCounters(bench.serverMetricsUrl);
    rss = startRssTimeline(RSS_INTERVAL_MS);
    const progress = setInterval(() => options.log(`bench: scale probe running ${Math.round((Date.now() - startedAt) / 1000)} s`), 60_000);
    const result = await withTimeout(product.api.campaigns.waitForResult(campaignId), timeoutMs(options.variants)).finally(() =>
      clearInterval(progress),
    );
    const finishedAt = Date.now();
    const rssTrend = rss.stop();
    rss = undefined;
    const cpu = process.cpuUsage(cpuBefore);
    const services = cpuDelta(servicesBefore, childProcessCpuSeconds());
    const serverCounters = counterDelta(countersBefore, await readServerCounters(bench.serverMetricsUrl));
    const stats = await bench.sim.stats({ tasks: false });
    const seconds = (finishedAt - startedAt) / 1000;
    options.log(`bench: scale campaign ended after ${seconds.toFixed(1)} s, reading histories`);
    const { cost, parentRuns } = await orchestrationCost(product.client, {
      campaignId,
      videos: options.variants,
      // A large campaign's result lists no variants (its outcomes are in the manifest parts): the
      // children's ids are deterministic, <campaignId>--<variantId>.
      videoIds: sampleIds(
        Array.from({ length: options.variants }, (_, index) => variantWorkflowId(campaignId, variantId(index))),
        CHILD_SAMPLE,
      ),
      poolId: leasePoolWorkflowId(product.taskQueue),
      window: [startedAt, finishedAt],
      workerCpuSec: (cpu.user + cpu.system) / 1e6,
      serverCpuSec: services.temporal ?? 0,
      serverCounters,
    });
    return {
      ...base,
      completed: true,
      seconds: round(seconds, 1),
      archived: result.archived,
      failed: result.failed,
      throttled: stats.throttledCount,
      clientStartSeconds,
      throughputVideosPerSec: round((result.archived + result.failed) / seconds, 2),
      runs: result.runs,
      maxOpen: result.maxOpen,
      parentRuns: parentRuns.map(({ runId, events, bytes, signalsReceived, signalsSent }) => ({
        runId,
        events,
        bytes,
        signalsReceived,
        signalsSent,
      })),
      orchestration: cost,
      rss: rssTrend,
    };
  } catch (error) {
    const stats = await bench.sim.stats({ tasks: false }).catch(() => undefined);
    return {
      ...base,
      completed: false,
      error: String(error),
      seconds: round((Date.now() - startedAt) / 1000, 1),
      archived: 0,
      failed: 0,
      throttled: stats?.throttledCount ?? 0,
      ...(rss ? { rss: rss.stop() } : {}),
    };
  } finally {
    await product.stop();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish in ${Math.round(ms / 60_000)} minutes`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
