import { videoWorkflowId } from '../workflows/campaign';
import { variantId } from './campaign-file';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { BENCH_SEED, CAP, benchPrompts } from './bench-config';
import type { BenchStack } from './bench-stack';
import { historyEventCounts, historySize, sampleIds } from './history-metrics';
import { campaignHistoryFacts, type CampaignHistoryFacts } from './payload-sizes';
import { runProductCampaign } from './product-contender';
import { startProduct } from './product-workers';
import { round } from './resource-sampler';
import { TEMPORAL_LIMITS, limitFor, type CampaignLimit } from './temporal-limits';

const SCALE_SIMULATOR = {
  timeScale: 600,
  seed: BENCH_SEED,
  concurrency: CAP,
  pendingSeconds: 6,
  generationSeconds: { kind: 'uniform', min: 60, max: 120 },
};
const SCALE_OPTIONS = { pollInterval: 100, pollJitter: 0.1 };
const TIMEOUT_MS = 45 * 60_000;

export interface ScaleProbe {
  variants: number;
  completed: boolean;
  error?: string;
  seconds: number;
  archived: number;
  failed: number;
  throttled: number;
  simulator: typeof SCALE_SIMULATOR;
  options: typeof SCALE_OPTIONS;
  parent?: CampaignHistoryFacts & { bytes: number | undefined };
  childEventsSample?: number[];
  limits?: CampaignLimit[];
  /** The smallest maxVariants over every limit: where a single campaign stops working. */
  ceiling?: CampaignLimit;
}

/**
 * One campaign of `variants` on a heavily time-scaled simulator (0.1–0.2 s generations),
 * then the parent's history against Temporal's per-execution limits, extrapolated per variant.
 */
export async function runScaleProbe(
  bench: BenchStack,
  bundle: WorkflowBundleWithSourceMap,
  options: { variants: number; log: (line: string) => void },
): Promise<ScaleProbe> {
  options.log(`bench: scale probe, ${options.variants} variants (timeScale ${SCALE_SIMULATOR.timeScale})`);
  await bench.sim.reset(SCALE_SIMULATOR);
  const product = await startProduct(bench, { name: 'scale', cap: CAP, bundle });
  const campaignId = `scale-${options.variants}`;
  const base = { variants: options.variants, simulator: SCALE_SIMULATOR, options: SCALE_OPTIONS };
  const startedAt = Date.now();
  try {
    const run = await withTimeout(
      runProductCampaign(bench, product, { campaignId, prompts: benchPrompts(options.variants), options: SCALE_OPTIONS, round: 1 }),
      TIMEOUT_MS,
    );
    const parent = {
      ...(await campaignHistoryFacts(product.client, campaignId)),
      bytes: (await historySize(product.client, campaignId)).bytes,
    };
    const limits = campaignLimits(parent, options.variants);
    return {
      ...base,
      completed: true,
      seconds: round(run.makespanSec, 1),
      archived: run.archived,
      failed: run.failed,
      throttled: run.sim.throttledCount,
      parent,
      childEventsSample: await historyEventCounts(
        product.client,
        // A large campaign's result lists no variants (its outcomes are in the manifest parts): the
        // children's ids are deterministic, <campaignId>--<variantId>.
        sampleIds(
          Array.from({ length: options.variants }, (_, index) => videoWorkflowId(campaignId, variantId(index))),
          5,
        ),
      ),
      limits,
      ceiling: limits.reduce((lowest, limit) => (limit.maxVariants < lowest.maxVariants ? limit : lowest)),
    };
  } catch (error) {
    const stats = await bench.sim.stats(false).catch(() => undefined);
    return {
      ...base,
      completed: false,
      error: String(error),
      seconds: round((Date.now() - startedAt) / 1000, 1),
      archived: 0,
      failed: 0,
      throttled: stats?.throttledCount ?? 0,
    };
  } finally {
    await product.stop();
  }
}

function campaignLimits(parent: CampaignHistoryFacts & { bytes: number | undefined }, variants: number): CampaignLimit[] {
  return [
    limitFor('history events (51,200)', TEMPORAL_LIMITS.historyEvents, parent.events / variants),
    limitFor('history size (50 MB)', TEMPORAL_LIMITS.historyBytes, (parent.bytes ?? 0) / variants),
    limitFor('signals per run (10,000)', TEMPORAL_LIMITS.signalsPerExecution, parent.signalsReceived / variants),
    limitFor('pending children (2,000)', TEMPORAL_LIMITS.pendingChildren, 1),
    limitFor('campaign input payload (2 MB)', TEMPORAL_LIMITS.payloadBytes, parent.inputBytes / variants),
    limitFor('campaign result payload (2 MB)', TEMPORAL_LIMITS.payloadBytes, parent.resultBytes / variants),
    limitFor('manifest activity argument (2 MB)', TEMPORAL_LIMITS.payloadBytes, parent.manifestArgumentBytes / variants),
  ];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish in ${Math.round(ms / 60_000)} minutes`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
