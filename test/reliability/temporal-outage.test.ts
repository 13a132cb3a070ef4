import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { temporal } from '@temporalio/proto';
import type { ActivityDeps } from '../../activities';
import { noopMetrics } from '../../activities/metrics';
import { TermListModerator } from '../../activities/moderation';
import { RunwayClient } from '../../activities/runway/client';
import { startStack, type Stack } from '../../stack/start-stack';
import { startInProcessProduct, type InProcessProduct } from '../../worker/in-process';
import { simStats } from '../chaos/sim-admin';
import { uniqueTaskQueue, workflowBundle } from '../helpers/product';

/**
 * Temporal goes down while a generation activity's POST is in flight, for longer than the activity's
 * heartbeat timeout: the heartbeat carrying the new task id never reaches the server, which times the
 * (live) attempt out once it is back. The retry must adopt that task, not POST a second one.
 */
const POST_LATENCY_MS = 1_500;
const TEMPORAL_DOWN_MS = 8_000; // > the 5 s heartbeat timeout of a 200 ms poll interval

let stack: Stack;
let product: InProcessProduct;

beforeAll(async () => {
  stack = await startStack({
    ports: 'auto',
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'temporal-outage-')),
    runwayBaseUrl: null,
    env: withoutStackVariables(process.env),
    log: () => undefined,
    simulator: { timeScale: 60, config: { pendingSeconds: 6, generationSeconds: { kind: 'fixed', seconds: 300 }, faults: { latencyMs: { min: POST_LATENCY_MS, max: POST_LATENCY_MS } } } },
  });
  const s3 = new S3Client({
    endpoint: stack.env.S3_ENDPOINT,
    region: stack.env.AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY },
  });
  const deps: ActivityDeps = {
    runway: new RunwayClient({ baseUrl: stack.env.RUNWAYML_BASE_URL, apiSecret: stack.env.RUNWAYML_API_SECRET, requestTimeoutMs: 10_000 }),
    s3,
    moderator: new TermListModerator(),
    metrics: noopMetrics,
  };
  product = await startInProcessProduct({
    address: stack.env.TEMPORAL_ADDRESS,
    namespace: stack.env.TEMPORAL_NAMESPACE,
    taskQueue: uniqueTaskQueue('outage'),
    cap: 10,
    deps,
    workflowBundle: await workflowBundle(),
    s3,
    bucket: stack.env.S3_BUCKET,
    prefix: '',
  });
}, 120_000);

afterAll(async () => {
  await product?.stop();
  await stack?.stop();
});

test('Temporal down during the POST: the retried attempt adopts the task, 1 POST, archived', async () => {
  const handle = await product.api.startVideo({
    videoId: 'outage',
    model: 'gen4.5',
    promptText: 'A ferry crossing at dusk',
    ratio: '1280:720',
    duration: 5,
    options: { pollInterval: 200, maxPendingWait: '1m', maxRunningWait: '1m' },
  });
  // A worker has the activity: it is resolving the request and POSTing.
  await until(async () => ((await handle.describe()).raw.pendingActivities ?? []).some((activity) => activity.activityType?.name === 'generateVideo' && activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED), 30_000);

  // The POST takes POST_LATENCY_MS: the server is gone before its answer (and the heartbeat) come back.
  const stoppedAt = Date.now();
  await stack.temporal.stop();
  await new Promise((resolve) => setTimeout(resolve, TEMPORAL_DOWN_MS));
  await stack.temporal.start();

  const result = await handle.result();
  const sim = await simStats(stack.simulator!.adminUrl);
  expect(sim.submissions.total).toBe(1);
  const task = sim.tasks[0]!;
  expect(Date.parse(task.createdAt)).toBeGreaterThan(stoppedAt); // created while Temporal was down
  expect(result.runwayTaskId).toBe(task.id);
  expect(result.submissions).toBe(1);
  expect(result.s3.sha256).toBe(task.outputSha256);

  // Temporal did time the first attempt out: the activity that produced the task ran more than once.
  const history = await handle.fetchHistory();
  const attempts = (history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 1] : []));
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
}, 120_000);

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function withoutStackVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefixes = ['SIM_', 'STACK_', 'TEMPORAL_', 'S3_', 'RUNWAYML_'];
  return Object.fromEntries(Object.entries(env).filter(([key]) => !prefixes.some((prefix) => key.startsWith(prefix))));
}
