import { SingleBar, Presets } from 'cli-progress';
import type { CampaignResult } from '../../schemas';
import type { RunwayTemporal } from '../runway-temporal';

/** A live bar (done / total, with the states in flight and an ETA) until the result arrives. */
export async function watchCampaign(api: RunwayTemporal, campaignId: string, intervalMs = 1000): Promise<CampaignResult> {
  const bar = new SingleBar(
    {
      format: ' {bar} {value}/{total} done | {states} | ETA {eta_formatted}',
      hideCursor: true,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  let started = false;
  const refresh = async () => {
    try {
      const progress = await api.getProgress(campaignId);
      const done = progress.counts.archived + progress.counts.failed + progress.counts.cancelled;
      const states = (['waiting', 'queued', 'running', 'archiving', 'archived', 'failed'] as const)
        .map((state) => `${state} ${progress.counts[state]}`)
        .join(' · ');
      if (!started) {
        bar.start(progress.total, done, { states });
        started = true;
      } else bar.update(done, { states });
    } catch {
      // the campaign may have just finished; the result below tells
    }
  };
  await refresh();
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = inFlight.then(refresh);
  }, intervalMs);
  try {
    const result = await api.waitForResult(campaignId);
    clearInterval(timer);
    await inFlight;
    await refresh();
    return result;
  } finally {
    clearInterval(timer);
    // No query may outlive this call: the caller closes the connection next.
    await inFlight;
    if (started) bar.stop();
  }
}
