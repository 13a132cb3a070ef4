import { request } from 'undici';
import type { SimulatorSnapshot } from '../../simulator/state';
import { testStack } from './stack';

/** Test speed: 600 simulated seconds per real second; generations of 0.1 – 0.2 s real. */
export const FAST_SIMULATOR = {
  timeScale: 600,
  pendingSeconds: 6,
  generationSeconds: { kind: 'uniform', min: 60, max: 120 },
} as const;

async function admin<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await request(`${testStack().simulatorAdminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 400) throw new Error(`simulator admin ${method} ${path}: ${response.statusCode} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Clear every task and counter and start over with this config (over the fast test defaults). */
export function resetSimulator(config: Record<string, unknown> = {}): Promise<unknown> {
  return admin('POST', '/reset', { apiSecret: testStack().runwayApiSecret, ...FAST_SIMULATOR, ...config });
}

export function simulatorStats(): Promise<SimulatorSnapshot> {
  return admin('GET', '/stats');
}

export function updateSimulator(partial: Record<string, unknown>): Promise<unknown> {
  return admin('POST', '/config', partial);
}

/** Forget all daily usage (every generation so far and every dailyUsage seed): tasks stay, they just stop counting toward the daily limits. */
export function resetDailyUsage(): Promise<unknown> {
  return admin('POST', '/usage/reset', {});
}

/** Live-task tallies (PENDING + THROTTLED + RUNNING), overall and per model. */
export type LiveTally = SimulatorSnapshot['maxLive'];

/** The live-task peaks and current counts, and the daily-limit refusals, without the per-task list. */
export async function simulatorLiveStats(): Promise<Pick<SimulatorSnapshot, 'currentLive' | 'maxLive' | 'dailyLimitRefusals'>> {
  const { currentLive, maxLive, dailyLimitRefusals } = await admin<SimulatorSnapshot>('GET', '/stats?tasks=false');
  return { currentLive, maxLive, dailyLimitRefusals };
}
