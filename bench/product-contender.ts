import type { CampaignResult, GenerationOptionsInput } from '../schemas';
import type { BenchStack } from './bench-stack';
import { benchCampaign } from './campaign-file';
import { measureContender, type ContenderRun } from './contender-run';
import type { RunningProduct } from './product-workers';
import { counterDelta, readServerCounters, type ServerCounters } from './server-metrics';

export interface ProductRun extends ContenderRun {
  campaignId: string;
  result: CampaignResult;
  /** What the Temporal server counted during the campaign (nothing else runs on it meanwhile). */
  serverCounters: ServerCounters;
}

/** (a) This project: CampaignWorkflow through RunwayTemporal, timed from start to the returned result. */
export async function runProductCampaign(
  bench: BenchStack,
  product: RunningProduct,
  run: { campaignId: string; prompts: readonly string[]; options: GenerationOptionsInput; round: number },
): Promise<ProductRun> {
  const campaign = benchCampaign(run.campaignId, run.prompts, run.options);
  const before = await readServerCounters(bench.serverMetricsUrl);
  const { outcome: result, ...measured } = await measureContender(bench.sim, 'product', run.round, async () => {
    const started = await product.api.campaigns.start(campaign);
    return product.api.campaigns.waitForResult(started.campaignId);
  });
  const serverCounters = counterDelta(before, await readServerCounters(bench.serverMetricsUrl));
  return { ...measured, campaignId: run.campaignId, result, serverCounters };
}
