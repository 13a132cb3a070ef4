import { SimulatorAdmin } from '../../simulator/admin-client';
import type { SimulatorSnapshot } from '../../simulator/state';
import { pollFloorAtTimeScale } from '../../schemas/options';
import { testStack } from './stack';

/** Test speed: 600 simulated seconds per real second; generations of 0.1 – 0.2 s real. */
export const FAST_SIMULATOR = {
  timeScale: 600,
  pendingSeconds: 6,
  generationSeconds: { kind: 'uniform', min: 60, max: 120 },
} as const;

/** Runway's 5 s poll floor on the fast simulator's clock: what test workers are configured with. */
export const TEST_POLL_FLOOR_MS = pollFloorAtTimeScale(FAST_SIMULATOR.timeScale);

/** The test stack's simulator, through the one admin client. */
function admin(): SimulatorAdmin {
  return new SimulatorAdmin(testStack().simulatorAdminUrl, { apiSecret: testStack().runwayApiSecret });
}

/** Clear every task and counter and start over with this config (over the fast test defaults). */
export function resetSimulator(config: Record<string, unknown> = {}): Promise<unknown> {
  return admin().reset({ ...FAST_SIMULATOR, ...config });
}

export function simulatorStats(): Promise<SimulatorSnapshot> {
  return admin().stats();
}

export function updateSimulator(partial: Record<string, unknown>): Promise<unknown> {
  return admin().configure(partial);
}

/** Forget all daily usage (every generation so far and every dailyUsage seed): tasks stay, they just stop counting toward the daily limits. */
export function resetDailyUsage(): Promise<unknown> {
  return admin().resetUsage();
}

/** Live-task tallies (PENDING + THROTTLED + RUNNING), overall and per model. */
export type LiveTally = SimulatorSnapshot['maxLive'];

/** The live-task peaks and current counts, and the daily-limit refusals, without the per-task list. */
export async function simulatorLiveStats(): Promise<Pick<SimulatorSnapshot, 'currentLive' | 'maxLive' | 'dailyLimitRefusals'>> {
  const { currentLive, maxLive, dailyLimitRefusals } = await admin().stats({ tasks: false });
  return { currentLive, maxLive, dailyLimitRefusals };
}
