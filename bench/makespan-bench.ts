import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { BENCH_SEED, CAP, MAKESPAN_VARIANTS, POLL_INTERVAL_MS, benchPrompts, makespanSimulatorConfig } from './bench-config';
import type { BenchStack } from './bench-stack';
import { summarize, type ContenderSummary } from './contender-summary';
import type { ContenderRun } from './contender-run';
import { historyEventCounts, historyEventTypes, historySize, sampleIds, type HistorySize } from './history-metrics';
import { blindSchedulerFloor, type BlindSchedulerFloor } from './blind-scheduler-floor';
import { configuredTaskSeconds, makespanBound, sameDraws, type MakespanBound } from './makespan-bound';
import { runProductCampaign, type ProductRun } from './product-contender';
import { startProduct, type RunningProduct } from './product-workers';
import { round } from './resource-sampler';
import { runSdkCampaign } from './sdk-contender';
import { taskLatencies, type TaskLatencies } from './task-latency';
import { leasePoolWorkflowId } from '../workflows/messages';

export interface MakespanReport {
  variants: number;
  cap: number;
  pollIntervalMs: number;
  rounds: ContenderSummary[];
  product: ContenderSummary;
  sdk: ContenderSummary;
  bound: MakespanBound;
  sameGenerationTimes: boolean;
  makespan_vs_bound_ratio: number;
  makespan_vs_sdk_ratio: number;
  /** The product's makespan over the best any duration-blind FIFO scheduler could do with these times. */
  makespan_vs_ideal_fifo_ratio: number;
  /** Where a/c lies for an ideal blind scheduler across seeds of this workload: the floor under the target. */
  blindSchedulerFloor: BlindSchedulerFloor;
  history: {
    perVideoEvents: number[];
    meanPerVideo: number;
    maxPerVideo: number;
    sampleEventTypes: Record<string, number>;
    parent: HistorySize;
  };
  /** Queue and processing latencies of workflow and activity tasks, from event timestamps. */
  latency: { videos: TaskLatencies; leasePool: TaskLatencies; campaign: TaskLatencies };
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
      const order = round % 2 === 1 ? (['product', 'sdk'] as const) : (['sdk', 'product'] as const);
      for (const contender of order) {
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
  const lastProduct = productRuns[productRuns.length - 1]!;
  const childIds = lastProduct.result.variants.map((variant) => variant.workflowId);
  const perVideoEvents = await historyEventCounts(product.client, sampleIds(childIds, 5));
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
    makespan_vs_bound_ratio: round(productMean.makespanSec / bound.boundSec, 4),
    makespan_vs_sdk_ratio: round(productMean.makespanSec / sdkMean.makespanSec, 4),
    makespan_vs_ideal_fifo_ratio: round(productMean.makespanSec / bound.idealFifoSec, 4),
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
