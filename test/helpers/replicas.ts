import fs from 'node:fs';
import path from 'node:path';
import type { CampaignFileInput } from '../../schemas';
import type { SimulatorSnapshot } from '../../simulator/state';
import { sleep } from './poll';
import type { LiveTally } from './simulator-admin';

/** Runway's live statuses: what counts toward a workspace's concurrency. */
export const LIVE: readonly string[] = ['PENDING', 'THROTTLED', 'RUNNING'];

/** When a live task will end, real time: RUNNING since + its generation time (a PENDING one: not soon). */
export function endsAt(
  task: { history: Array<{ status: string; at: string }>; generationSeconds: number | null },
  timeScale: number,
): number {
  const running = task.history.find((step) => step.status === 'RUNNING');
  if (!running || task.generationSeconds === null) return Number.POSITIVE_INFINITY;
  return Date.parse(running.at) + (task.generationSeconds * 1000) / timeScale;
}

/** The Runway task ids a submission journal holds (one file per generate activity). */
export function journaledTaskIds(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => (JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { entry: { taskId: string } }).entry.taskId);
}

/** Half gen4.5, half veo3.1_fast: two models with caps of their own. */
export function twoModelCampaign(campaignId: string, variantsPerModel: number): CampaignFileInput {
  const variants: CampaignFileInput['variants'] = [];
  for (let index = 1; index <= variantsPerModel; index += 1) {
    variants.push({ id: `g${String(index).padStart(2, '0')}`, promptText: `A harbour crane at dawn, replica shot ${index}` });
    variants.push({
      id: `v${String(index).padStart(2, '0')}`,
      promptText: `A lighthouse beam over the sea, replica shot ${index}`,
      overrides: { model: 'veo3.1_fast', duration: 4 },
    });
  }
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants,
    options: { pollInterval: 200, pollJitter: 0.1, maxPendingWait: '1h', maxRunningWait: '1h' },
  };
}

/** The most live tasks per model seen in ~100 ms samples of the simulator's own count, until stopped. */
export function sampleLive(read: () => Promise<Pick<SimulatorSnapshot, 'currentLive'>>): {
  stop: () => Promise<LiveTally>;
} {
  const seen: LiveTally = { overall: 0, byModel: {} };
  let running = true;
  // Never rejects: a failed test leaves the loop running into the stack's teardown, where a refused
  // connection would be an unhandled rejection that ends jest before it writes its report.
  const loop = (async () => {
    while (running) {
      const stats = await read().catch(() => undefined);
      if (!stats) break;
      const { currentLive } = stats;
      seen.overall = Math.max(seen.overall, currentLive.overall);
      for (const [model, live] of Object.entries(currentLive.byModel)) seen.byModel[model] = Math.max(seen.byModel[model] ?? 0, live);
      await sleep(100);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}
