import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { noopMetrics } from '../../activities/metrics';
import { TermListModerator } from '../../activities/moderation';
import { RunwayClient } from '../../activities/runway/client';
import { RUNWAY_DEFAULT_BASE_URL, creditsFor } from '../../schemas';
import { startInProcessProduct } from '../../scripts/in-process-product';

/** The shortest, cheapest generation Runway sells: gen4.5 text-to-video, 2 seconds. */
export const LIVE_SMOKE_REQUEST = {
  model: 'gen4.5',
  promptText: 'A paper boat drifting on a calm pond at sunrise',
  ratio: '1280:720',
  duration: 2,
} as const;

/** Its list price: what docs/reliability.md says one smoke run costs. */
export const LIVE_SMOKE_LIST_CREDITS = creditsFor(LIVE_SMOKE_REQUEST.model, LIVE_SMOKE_REQUEST.duration);

export type LiveSmokeSettings = { run: true; apiSecret: string; baseUrl: string } | { run: false; reason: string };

/**
 * Whether the live smoke test may spend real credits: only when asked for in so many words (RUNWAY_LIVE=1
 * and a secret), never under CI, and never against a local address (that is the simulator, and a secret
 * sent there would leave the machine for nothing).
 */
export function liveSmokeSettings(env: NodeJS.ProcessEnv, apiSecret = env.RUNWAYML_API_SECRET): LiveSmokeSettings {
  if (env.RUNWAY_LIVE !== '1') return { run: false, reason: 'RUNWAY_LIVE is not 1 (it spends real Runway credits)' };
  if (env.CI === 'true' || env.CI === '1') return { run: false, reason: 'CI is set: the live smoke test never runs in CI' };
  if (!apiSecret) return { run: false, reason: 'RUNWAYML_API_SECRET is not set' };
  const baseUrl = env.RUNWAY_LIVE_BASE_URL ?? RUNWAY_DEFAULT_BASE_URL;
  if (/^https?:\/\/(localhost|127\.|\[::1\])/.test(baseUrl)) {
    return { run: false, reason: `RUNWAY_LIVE_BASE_URL=${baseUrl} is local: the live test is for the real API` };
  }
  return { run: true, apiSecret, baseUrl };
}

export interface LiveSmokeTarget {
  runway: { baseUrl: string; apiSecret: string };
  temporal: { address: string; namespace: string };
  s3: S3Client;
  bucket: string;
  log: (line: string) => void;
}

export interface LiveSmokeReport {
  videoId: string;
  runwayTaskId: string;
  s3Key: string;
  sha256: string;
  bytes: number;
  /** What the product reported Runway billed. */
  credits: number;
  balanceBefore: number;
  balanceAfter: number;
  wallMs: number;
}

/**
 * One generation through the real worker code (both workers in this process, on a queue of their own):
 * the workspace's balance before, the video submitted, polled and archived to S3, the archived object's
 * sha256 checked, the balance after.
 */
export async function runLiveSmoke(target: LiveSmokeTarget): Promise<LiveSmokeReport> {
  const runway = new RunwayClient({ baseUrl: target.runway.baseUrl, apiSecret: target.runway.apiSecret, requestTimeoutMs: 30_000 });
  const startedAt = Date.now();
  const before = await runway.getOrganization();
  target.log(`workspace credit balance before: ${before.creditBalance}`);
  const suffix = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
  const product = await startInProcessProduct({
    address: target.temporal.address,
    namespace: target.temporal.namespace,
    taskQueue: `live-smoke-${suffix}`,
    cap: 1,
    deps: { runway, s3: target.s3, moderator: new TermListModerator(), metrics: noopMetrics },
    workflowBundle: undefined,
    s3: target.s3,
    bucket: target.bucket,
    prefix: '',
  });
  try {
    const videoId = `live-smoke-${suffix}`;
    target.log(
      `generating ${LIVE_SMOKE_REQUEST.model} ${LIVE_SMOKE_REQUEST.duration} s text-to-video (list price ${LIVE_SMOKE_LIST_CREDITS} credits)…`,
    );
    const handle = await product.api.generations.startVideo({ videoId, ...LIVE_SMOKE_REQUEST });
    const result = await handle.result();
    const stored = await objectSha256(target.s3, target.bucket, result.s3.key);
    if (stored.sha256 !== result.s3.sha256 || stored.bytes !== result.s3.bytes) {
      throw new Error(`archived object s3://${target.bucket}/${result.s3.key} does not match its recorded sha256 and size`);
    }
    const after = await runway.getOrganization();
    target.log(`archived s3://${target.bucket}/${result.s3.key} (${result.s3.bytes} bytes, sha256 ${result.s3.sha256})`);
    target.log(
      `workspace credit balance after: ${after.creditBalance} (spent ${before.creditBalance - after.creditBalance}; the product reports ${result.credits})`,
    );
    return {
      videoId,
      runwayTaskId: result.runwayTaskId,
      s3Key: result.s3.key,
      sha256: result.s3.sha256,
      bytes: result.s3.bytes,
      credits: result.credits,
      balanceBefore: before.creditBalance,
      balanceAfter: after.creditBalance,
      wallMs: Date.now() - startedAt,
    };
  } finally {
    await product.stop();
    await runway.close();
  }
}

async function objectSha256(s3: S3Client, bucket: string, key: string): Promise<{ sha256: string; bytes: number }> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await object.Body!.transformToByteArray();
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}
