import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { temporal } from '@temporalio/proto';
import type { ActivityDeps } from '../../activities';
import { noopMetrics } from '../../activities/metrics';
import { TermListModerator } from '../../activities/moderation';
import { RunwayClient } from '../../activities/runway/client';
import { RunwayTemporal } from '../../client';
import { startStack, type Stack } from '../../stack/start-stack';
import { startInProcessProduct, type InProcessProduct } from '../../scripts/in-process-product';
import { SimulatorAdmin } from '../../simulator/admin-client';
import { uniqueTaskQueue, workflowBundle } from '../helpers/product';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { envWithoutStackOverrides } from '../../infra/stack-env';
import { TEST_POLL_FLOOR_MS } from '../helpers/simulator-admin';

/**
 * Temporal goes down while a generation activity's POST is in flight, for longer than the activity's
 * heartbeat timeout: the heartbeat carrying the new task id never reaches the server, which times the
 * attempt out once it is back. The retry must adopt that task, not POST a second one — from the worker's
 * memory when it lived on, from its journal on disk when it was killed meanwhile, from the journal in S3
 * when the retry runs on another replica (another machine, another disk).
 */
const POST_LATENCY_MS = 1_500;
const TEMPORAL_DOWN_MS = 8_000; // > the 5 s heartbeat timeout of a 200 ms poll interval

let stack: Stack;
let product: InProcessProduct;
let s3: S3Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  stack = await startStack({
    ports: 'auto',
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'temporal-outage-')),
    runwayBaseUrl: null,
    env: envWithoutStackOverrides(process.env),
    log: () => undefined,
    simulator: {
      timeScale: 60,
      config: {
        pendingSeconds: 6,
        generationSeconds: { kind: 'fixed', seconds: 300 },
        faults: { latencyMs: { min: POST_LATENCY_MS, max: POST_LATENCY_MS } },
      },
    },
  });
  s3 = new S3Client({
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
    pollFloorMs: TEST_POLL_FLOOR_MS,
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
  for (const worker of workers) worker.child.kill('SIGKILL');
  await product?.stop();
  await stack?.stop();
});

/**
 * Whether the restarted server times the attempt out is a race: its heartbeat-timeout timer against the
 * worker's first heartbeat after reconnecting. When the heartbeat wins, attempt 1 simply goes on (one POST,
 * nothing to adopt): the scenario runs again, each run checked in full, until the server did time one out.
 */
const OUTAGE_TRIES = 3;

test('Temporal down during the POST: the retried attempt adopts the task, 1 POST, archived', async () => {
  let maxAttempt = 0;
  for (let run = 1; run <= OUTAGE_TRIES && maxAttempt < 2; run++) {
    const tasksBefore = (await new SimulatorAdmin(stack.simulator!.adminUrl).stats()).submissions.total;
    const handle = await startVideo(product.api, `outage-${run}`);
    await untilGenerating(handle);

    // The POST takes POST_LATENCY_MS: the server is gone before its answer (and the heartbeat) come back.
    const stoppedAt = Date.now();
    await stack.temporal.stop();
    await new Promise((resolve) => setTimeout(resolve, TEMPORAL_DOWN_MS));
    await stack.temporal.start();

    maxAttempt = await expectOneTaskArchived(handle, stoppedAt, tasksBefore);
  }
  // Temporal did time an attempt out: the activity that produced the task ran more than once.
  expect(maxAttempt).toBeGreaterThanOrEqual(2);
}, 300_000);

test('a worker SIGKILLed while Temporal is down, after its POST: the restarted worker adopts the task from its journal', async () => {
  const taskQueue = uniqueTaskQueue('outage-kill');
  const journalDir = mkdtempSync(path.join(os.tmpdir(), 'submission-journal-'));
  const api = new RunwayTemporal({ client: product.client, s3, taskQueue, bucket: stack.env.S3_BUCKET, prefix: '' });
  const firstWorker = startWorker(taskQueue, journalDir);
  await firstWorker.ready;
  const before = (await new SimulatorAdmin(stack.simulator!.adminUrl).stats()).submissions.total;
  const handle = await startVideo(api, 'outage-kill');
  await untilGenerating(handle);

  const stoppedAt = Date.now();
  await stack.temporal.stop();
  // Runway has the task: the worker dies before Temporal ever hears of it.
  await until(async () => (await new SimulatorAdmin(stack.simulator!.adminUrl).stats()).submissions.total > before, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  firstWorker.child.kill('SIGKILL');
  await firstWorker.exited;
  await stack.temporal.start();

  const secondWorker = startWorker(taskQueue, journalDir);
  await secondWorker.ready;
  expect(await expectOneTaskArchived(handle, stoppedAt, before)).toBeGreaterThanOrEqual(2);
  secondWorker.child.kill('SIGTERM');
  await secondWorker.exited;
}, 180_000);

test('replica A SIGKILLed while Temporal is down, after its POST: replica B (another disk) adopts the task from the S3 journal', async () => {
  const taskQueue = uniqueTaskQueue('outage-replicas');
  const api = new RunwayTemporal({ client: product.client, s3, taskQueue, bucket: stack.env.S3_BUCKET, prefix: '' });
  const replicaA = startWorker(taskQueue, mkdtempSync(path.join(os.tmpdir(), 'journal-replica-a-')));
  await replicaA.ready;
  const before = (await new SimulatorAdmin(stack.simulator!.adminUrl).stats()).submissions.total;
  const journalBefore = await journalKeys();
  const handle = await startVideo(api, 'outage-replicas');
  await untilGenerating(handle);

  const stoppedAt = Date.now();
  await stack.temporal.stop();
  // Replica A has POSTed and journalled (it logs the submission once its ledger holds it), Temporal knows nothing.
  await until(async () => replicaA.output().includes('"submitted to Runway"'), 30_000);
  expect((await new SimulatorAdmin(stack.simulator!.adminUrl).stats()).submissions.total).toBe(before + 1);
  replicaA.child.kill('SIGKILL');
  await replicaA.exited;
  await stack.temporal.start();

  const replicaB = startWorker(taskQueue, mkdtempSync(path.join(os.tmpdir(), 'journal-replica-b-')));
  await replicaB.ready;
  expect(await expectOneTaskArchived(handle, stoppedAt, before)).toBeGreaterThanOrEqual(2);
  expect(replicaB.output()).toContain('adopting it');
  const added = (await journalKeys()).filter((key) => !journalBefore.includes(key));
  expect(added).toEqual([expect.stringMatching(/^\.runway-temporal\/submission-journal\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\.json$/)]);
  replicaB.child.kill('SIGTERM');
  await replicaB.exited;
}, 180_000);

async function journalKeys(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.env.S3_BUCKET, Prefix: '.runway-temporal/submission-journal/' }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

function startVideo(api: RunwayTemporal, videoId: string) {
  return api.generations.startVideo({
    videoId,
    model: 'gen4.5',
    promptText: `A ferry crossing at dusk (${videoId})`,
    ratio: '1280:720',
    duration: 5,
    options: { pollInterval: 200, maxPendingWait: '1m', maxRunningWait: '1m' },
  });
}

type VideoHandle = Awaited<ReturnType<typeof startVideo>>;

/** A worker has the generate activity: it is resolving the request and POSTing. */
function untilGenerating(handle: VideoHandle): Promise<void> {
  return until(
    async () =>
      ((await handle.describe()).raw.pendingActivities ?? []).some(
        (activity) =>
          activity.activityType?.name === 'generate' &&
          activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
      ),
    30_000,
  );
}

/** One POST, made while Temporal was down, archived intact; returns the generate activity's highest attempt. */
async function expectOneTaskArchived(handle: VideoHandle, stoppedAt: number, tasksBefore = 0): Promise<number> {
  const result = await handle.result();
  const sim = await new SimulatorAdmin(stack.simulator!.adminUrl).stats();
  expect(sim.submissions.total).toBe(tasksBefore + 1);
  const task = sim.tasks.find((candidate) => candidate.id === result.runwayTaskId)!;
  expect(Date.parse(task.createdAt)).toBeGreaterThan(stoppedAt); // created while Temporal was down
  expect(result.submissions).toBe(1);
  expect(result.s3.sha256).toBe(task.outputSha256);
  const history = await handle.fetchHistory();
  const attempts = (history.events ?? []).flatMap((event) =>
    event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 1] : [],
  );
  return Math.max(...attempts);
}

function startWorker(taskQueue: string, journalDir: string): WorkerProcess {
  const { env } = stack;
  const worker = spawnWorker(taskQueue, {
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
    S3_ENDPOINT: env.S3_ENDPOINT,
    S3_BUCKET: env.S3_BUCKET,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: env.AWS_REGION,
    RUNWAYML_BASE_URL: env.RUNWAYML_BASE_URL,
    RUNWAYML_API_SECRET: env.RUNWAYML_API_SECRET,
    SUBMISSION_JOURNAL_DIR: journalDir,
  });
  workers.push(worker);
  return worker;
}

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
