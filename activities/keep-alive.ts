import { activityInfo, heartbeat } from '@temporalio/activity';

/** How often a running activity tells Temporal it is alive. */
export const KEEP_ALIVE_INTERVAL_MS = 2_000;

/**
 * Heartbeats on a timer while `work` runs, whatever phase it is in (a Runway GET, an S3 HEAD, the last
 * part of an upload), so a worker that dies is noticed within the activity's heartbeat timeout instead
 * of its start-to-close timeout. Local activities have no heartbeat and run `work` bare.
 */
export async function withKeepAlive<T>(work: () => Promise<T>, intervalMs = KEEP_ALIVE_INTERVAL_MS): Promise<T> {
  // A local activity has no heartbeat: it lives and dies with its workflow task.
  if (activityInfo().isLocal) return work();
  const timer = setInterval(() => heartbeat(), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
