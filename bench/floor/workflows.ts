import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

/** One attempt, as the SDK loop makes one: the floor measures orchestration, not retries. */
const { generateAndArchive } = proxyActivities<FloorActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });

export interface FloorVariant {
  promptText: string;
  key: string;
}

/**
 * The least a durable campaign can be on Temporal: a parent that starts one child per variant and waits for
 * them all, each child one activity that does what the SDK loop does. No lease pool (the cap is the activity
 * worker's slot count, one process only), no progress, no ledger, no journal, no heartbeats.
 */
export async function FloorCampaign(run: { campaignId: string; variants: FloorVariant[] }): Promise<number> {
  const ends = await Promise.allSettled(
    run.variants.map((variant, index) => executeChild(FloorVideo, { workflowId: `${run.campaignId}--${index}`, args: [variant] })),
  );
  return ends.filter((end) => end.status === 'fulfilled').length;
}

export async function FloorVideo(variant: FloorVariant): Promise<void> {
  await generateAndArchive(variant);
}
