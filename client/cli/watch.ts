import { SingleBar, Presets } from 'cli-progress';
import type { CampaignResult, ExplainerResult } from '../../schemas';
import type { RunwayTemporal } from '../runway-temporal';

/** What a bar shows at one moment: done of total, and the words after the bar. */
interface Reading {
  done: number;
  total: number;
  payload: Record<string, string | number>;
}

/**
 * A live bar on stderr (refreshed every `intervalMs` from `read`, with an ETA) until `result()` settles. No
 * query outlives it: the caller closes the connection next.
 */
async function watch<T>(format: string, read: () => Promise<Reading>, result: () => Promise<T>, intervalMs: number): Promise<T> {
  const bar = new SingleBar(
    { format: ` {bar} ${format} | ETA {eta_formatted}`, hideCursor: true, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 5000 },
    Presets.shades_classic,
  );
  let started = false;
  const refresh = async () => {
    try {
      const reading = await read();
      if (!started) {
        bar.start(reading.total, reading.done, reading.payload);
        started = true;
      } else bar.update(reading.done, reading.payload);
    } catch {
      // the workflow may have just ended; the result tells
    }
  };
  await refresh();
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = inFlight.then(refresh);
  }, intervalMs);
  try {
    const value = await result();
    clearInterval(timer);
    await inFlight;
    await refresh();
    return value;
  } finally {
    clearInterval(timer);
    await inFlight;
    if (started) bar.stop();
  }
}

/** Variants done of all, with the states in flight, until the campaign's result arrives. */
export function watchCampaign(api: RunwayTemporal, campaignId: string, intervalMs = 1000): Promise<CampaignResult> {
  const read = async (): Promise<Reading> => {
    const progress = await api.campaigns.progress(campaignId);
    // 'quota-wait' only when some wait for a daily quota: the one state an operator must act on (or wait out).
    const states = (['waiting', 'quota-wait', 'queued', 'running', 'archiving', 'archived', 'failed'] as const)
      .filter((state) => state !== 'quota-wait' || (progress.counts[state] ?? 0) > 0)
      .map((state) => `${state} ${progress.counts[state] ?? 0}`)
      .join(' · ');
    return {
      done: progress.counts.archived + progress.counts.failed + progress.counts.cancelled,
      total: progress.total,
      payload: { states },
    };
  };
  return watch('{value}/{total} done | {states}', read, () => api.campaigns.waitForResult(campaignId), intervalMs);
}

/** Generations done of all, the state and the credits, until the explainer's final record arrives. */
export function watchExplainer(api: RunwayTemporal, explainerId: string, intervalMs = 1000): Promise<ExplainerResult> {
  const read = async (): Promise<Reading> => {
    const progress = await api.explainers.progress(explainerId);
    return { done: progress.done, total: progress.total, payload: { state: progress.state, credits: progress.creditsSpent } };
  };
  return watch(
    '{value}/{total} generations | {state} | {credits} credits',
    read,
    () => api.explainers.waitForResult(explainerId),
    intervalMs,
  );
}
