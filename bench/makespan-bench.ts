import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { BENCH_SEED, CAP, MAKESPAN_VARIANTS, POLL_INTERVAL_MS, benchPrompts, makespanSimulatorConfig } from './bench-config';
import type { BenchStack } from './bench-stack';
import { summarize, type ContenderSummary } from './contender-summary';
import type { ContenderRun } from './contender-run';
import { historyEventTypes, historySize, sampleIds, videoHistoryFacts, type HistorySize } from './history-metrics';
import { blindSchedulerFloor, type BlindSchedulerFloor } from './blind-scheduler-floor';
import { configuredTaskSeconds, makespanBound, sameDraws, type MakespanBound } from './makespan-bound';
import { runProductCampaign, type ProductRun } from './product-contender';
import { startProduct, type RunningProduct } from './product-workers';
import { round } from './resource-sampler';
import { runSdkCampaign } from './sdk-contender';
import { taskLatencies, type TaskLatencies } from './task-latency';
import { leasePoolWorkflowId } from '../workflows/messages';
import { variantWorkflowId } from '../workflows/campaign/ids';
import { variantId } from './campaign-file';
import { orchestrationCost, type OrchestrationCost } from './orchestration-cost';
import { abbaOrder, spread, type Contender, type Spread } from './stats';

export interface MakespanReport {
  variants: number;
  cap: number;
  pollIntervalMs: number;
  rounds: ContenderSummary[];
  product: ContenderSummary;
  sdk: ContenderSummary;
  bound: MakespanBound;
  sameGenerationTimes: boolean;
  /** Median over the rounds (files before per-round figures: of the mean makespans). */
  makespan_vs_bound_ratio: number;
  /** Median over the rounds of each round's a/b (files before per-round figures: of the mean makespans). */
  makespan_vs_sdk_ratio: number;
  /** The product's makespan over the best any duration-blind FIFO scheduler could do with these times (median over rounds). */
  makespan_vs_ideal_fifo_ratio: number;
  /** Each round's ratios and orchestration cost (absent in files before 2026-12). */
  perRound?: MakespanRound[];
  /** Median and min–max over the rounds of what perRound holds. */
  spread?: MakespanSpread;
  /** Where a/c lies for an ideal blind scheduler across seeds of this workload: the floor under the target. */
  blindSchedulerFloor: BlindSchedulerFloor;
  history: {
    /** Every video's event count of the last round (files before 2026-12: a sample of 5). */
    perVideoEvents: number[];
    meanPerVideo: number;
    maxPerVideo: number;
    sampleEventTypes: Record<string, number>;
    parent: HistorySize;
  };
  /** Queue and processing latencies of workflow and activity tasks, from event timestamps. */
  latency: { videos: TaskLatencies; leasePool: TaskLatencies; campaign: TaskLatencies };
}

/** One ABBA round: both contenders on the same draws, and what the product's orchestration cost. */
export interface MakespanRound {
  round: number;
  order: Contender[];
  productSec: number;
  sdkSec: number;
  idealFifoSec: number;
  boundSec: number;
  vsSdk: number;
  vsIdealFifo: number;
  vsBound: number;
  orchestration: OrchestrationCost;
  /** CPU of the SDK contender's process (its only cost: no server). */
  sdkCpuSec: number;
  /** (worker + Temporal server CPU) / SDK CPU. */
  cpuVsSdk: number;
}

export interface MakespanSpread {
  vsSdk: Spread;
  vsIdealFifo: Spread;
  vsBound: Spread;
  cpuVsSdk: Spread;
  eventsPerVideoMean: Spread;
  eventsPerVideoMax: Spread;
  signalsPerVideo: Spread;
  workerCpuSecPerVideo: Spread;
  serverCpuSecPerVideo: Spread;
}

const WARM_UP_SIMULATOR = {
  timeScale: 600,
  seed: BENCH_SEED,
  concurrency: CAP,
  pendingSeconds: 2,
  generationSeconds: { kind: 'fixed', seconds: 30 },
};

/**
 * The same 100-variant campaign, cap 10, for this project and for the official SDK,
 * the simulator reset to the same config before each, in ABBA order over `rounds` rounds.
 */
export async function runMakespanBench(
  bench: BenchStack,
  bundle: WorkflowBundleWithSourceMap,
  options: { rounds: number; variants?: number; log: (line: string) => void },
): Promise<MakespanReport> {
  const { log } = options;
  const prompts = benchPrompts(options.variants ?? MAKESPAN_VARIANTS);
  const product = await startProduct(bench, { name: 'makespan', cap: CAP, bundle });
  try {
    await warmUp(bench, product, log);
    const runs: ContenderRun[] = [];
    const productRuns: ProductRun[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const contender of abbaOrder(round)) {
        await bench.sim.reset(makespanSimulatorConfig());
        const run =
          contender === 'product'
            ? await runProductCampaign(bench, product, {
                campaignId: `makespan-r${round}`,
                prompts,
                options: { pollInterval: POLL_INTERVAL_MS },
                round,
              })
            : await runSdkCampaign(bench, { campaignId: `makespan-r${round}`, prompts, pollIntervalMs: POLL_INTERVAL_MS, round });
        if (run.contender === 'product') productRuns.push(run as ProductRun);
        runs.push(run);
        log(`bench: round ${round} ${contender}: ${run.makespanSec.toFixed(2)} s, ${run.archived} archived, ${run.failed} failed`);
      }
    }
    return await report(product, runs, productRuns, prompts);
  } finally {
    await product.stop();
  }
}

/** One short campaign per contender first: workflow isolates, connections and the lease pool exist. */
async function warmUp(bench: BenchStack, product: RunningProduct, log: (line: string) => void): Promise<void> {
  log('bench: warm-up (3 variants per contender on a fast simulator)');
  const prompts = ['Warm-up one', 'Warm-up two', 'Warm-up three'];
  await bench.sim.reset(WARM_UP_SIMULATOR);
  await runProductCampaign(bench, product, { campaignId: 'warm-up', prompts, options: { pollInterval: 100 }, round: 0 });
  await runSdkCampaign(bench, { campaignId: 'warm-up', prompts, pollIntervalMs: 100, round: 0 });
}

async function report(
  product: RunningProduct,
  runs: ContenderRun[],
  productRuns: ProductRun[],
  prompts: string[],
): Promise<MakespanReport> {
  const summaries = runs.map((run) => summarize(run, POLL_INTERVAL_MS));
  const mean = (contender: 'product' | 'sdk') => meanSummary(summaries.filter((summary) => summary.contender === contender));
  const productMean = mean('product');
  const sdkMean = mean('sdk');
  const bound = makespanBound(configuredTaskSeconds(runs[0]!.sim, prompts));
  const perRound: MakespanRound[] = [];
  for (const productRun of productRuns) {
    const sdkRun = runs.find((run) => run.contender === 'sdk' && run.round === productRun.round)!;
    perRound.push(await roundFigures(product, productRun, sdkRun, prompts));
  }
  const lastProduct = productRuns[productRuns.length - 1]!;
  const childIds = prompts.map((_, index) => variantWorkflowId(lastProduct.campaignId, variantId(index)));
  const perVideoEvents = (await videoHistoryFacts(product.client, childIds)).map((facts) => facts.events);
  const over = (pick: (round: MakespanRound) => number) => spread(perRound.map(pick));
  const ratios: MakespanSpread = {
    vsSdk: over((r) => r.vsSdk),
    vsIdealFifo: over((r) => r.vsIdealFifo),
    vsBound: over((r) => r.vsBound),
    cpuVsSdk: over((r) => r.cpuVsSdk),
    eventsPerVideoMean: over((r) => r.orchestration.eventsPerVideo.mean),
    eventsPerVideoMax: over((r) => r.orchestration.eventsPerVideo.max),
    signalsPerVideo: over((r) => r.orchestration.signalsPerVideo),
    workerCpuSecPerVideo: over((r) => r.orchestration.workerCpuSecPerVideo),
    serverCpuSecPerVideo: over((r) => r.orchestration.serverCpuSecPerVideo),
  };
  return {
    variants: prompts.length,
    cap: CAP,
    pollIntervalMs: POLL_INTERVAL_MS,
    rounds: summaries,
    product: productMean,
    sdk: sdkMean,
    bound,
    sameGenerationTimes: sameDraws(
      runs.map((run) => run.sim),
      prompts,
    ),
    makespan_vs_bound_ratio: ratios.vsBound.median,
    makespan_vs_sdk_ratio: ratios.vsSdk.median,
    makespan_vs_ideal_fifo_ratio: ratios.vsIdealFifo.median,
    perRound,
    spread: ratios,
    blindSchedulerFloor: blindSchedulerFloor(),
    history: {
      perVideoEvents,
      meanPerVideo: round(perVideoEvents.reduce((a, b) => a + b, 0) / perVideoEvents.length, 1),
      maxPerVideo: Math.max(...perVideoEvents),
      sampleEventTypes: await historyEventTypes(product.client, childIds[0]!),
      parent: await historySize(product.client, lastProduct.campaignId),
    },
    latency: {
      videos: await taskLatencies(product.client, sampleIds(childIds, 10)),
      leasePool: await taskLatencies(product.client, [leasePoolWorkflowId(product.taskQueue)]),
      campaign: await taskLatencies(product.client, [lastProduct.campaignId]),
    },
  };
}

/** One round's ratios against its own draws, and the product's orchestration cost read from every video's history. */
async function roundFigures(
  product: RunningProduct,
  productRun: ProductRun,
  sdkRun: ContenderRun,
  prompts: string[],
): Promise<MakespanRound> {
  const bound = makespanBound(configuredTaskSeconds(productRun.sim, prompts));
  const { cost } = await orchestrationCost(product.client, {
    campaignId: productRun.campaignId,
    videos: prompts.length,
    videoIds: prompts.map((_, index) => variantWorkflowId(productRun.campaignId, variantId(index))),
    poolId: leasePoolWorkflowId(product.taskQueue),
    window: [productRun.startedAtMs, productRun.finishedAtMs],
    workerCpuSec: productRun.resources.cpuSeconds,
    serverCpuSec: productRun.resources.servicesCpuSeconds.temporal ?? 0,
    serverCounters: productRun.serverCounters,
  });
  const sdkCpuSec = sdkRun.resources.cpuSeconds;
  return {
    round: productRun.round,
    order: abbaOrder(productRun.round),
    productSec: round(productRun.makespanSec, 2),
    sdkSec: round(sdkRun.makespanSec, 2),
    idealFifoSec: bound.idealFifoSec,
    boundSec: bound.boundSec,
    vsSdk: round(productRun.makespanSec / sdkRun.makespanSec, 4),
    vsIdealFifo: round(productRun.makespanSec / bound.idealFifoSec, 4),
    vsBound: round(productRun.makespanSec / bound.boundSec, 4),
    orchestration: cost,
    sdkCpuSec,
    cpuVsSdk: round((cost.workerCpuSec + cost.serverCpuSec) / sdkCpuSec, 3),
  };
}

/** Counts where the worst round is what matters, not the mean. */
const WORST_OF = new Set(['throttled', 'maxConcurrentRunning', 'failed']);

/** The mean of every numeric field over a contender's rounds (round = 0 marks a mean; counts take the worst). */
function meanSummary(summaries: ContenderSummary[]): ContenderSummary {
  const first = summaries[0];
  if (!first) throw new Error('no runs to summarize');
  const mean = (values: number[]) => round(values.reduce((a, b) => a + b, 0) / values.length, 4);
  const averaged: Record<string, unknown> = { ...first, round: 0 };
  for (const [key, value] of Object.entries(first)) {
    if (typeof value !== 'number' || key === 'round') continue;
    const values = summaries.map((summary) => summary[key as keyof ContenderSummary] as number);
    averaged[key] = WORST_OF.has(key) ? Math.max(...values) : mean(values);
  }
  const services = Object.keys(first.servicesCpuSeconds);
  averaged.servicesCpuSeconds = Object.fromEntries(
    services.map((name) => [name, mean(summaries.map((summary) => summary.servicesCpuSeconds[name] ?? 0))]),
  );
  return averaged as unknown as ContenderSummary;
}
