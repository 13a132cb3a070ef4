import type { CampaignResult, GenerationOptionsInput } from '../schemas';
import type { BenchStack } from './bench-stack';
import { benchCampaign } from './campaign-file';
import type { ContenderRun } from './contender-run';
import type { RunningProduct } from './product-workers';
import { startResourceSampler } from './resource-sampler';

export interface ProductRun extends ContenderRun {
  campaignId: string;
  result: CampaignResult;
}

/** (a) This project: CampaignWorkflow through RunwayTemporal, timed from start to the returned result. */
export async function runProductCampaign(
  bench: BenchStack,
  product: RunningProduct,
  run: { campaignId: string; prompts: readonly string[]; options: GenerationOptionsInput; round: number },
): Promise<ProductRun> {
  const campaign = benchCampaign(run.campaignId, run.prompts, run.options);
  const sampler = startResourceSampler();
  const startedAtMs = Date.now();
  const started = await product.api.startCampaign(campaign);
  const result = await product.api.waitForResult(started.campaignId);
  const finishedAtMs = Date.now();
  const resources = sampler.stop();
  return {
    contender: 'product',
    round: run.round,
    startedAtMs,
    finishedAtMs,
    makespanSec: (finishedAtMs - startedAtMs) / 1000,
    archived: result.archived,
    failed: result.failed,
    resources,
    sim: await bench.sim.stats(),
    campaignId: run.campaignId,
    result,
  };
}
