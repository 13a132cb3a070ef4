import { NativeConnection, Worker } from '@temporalio/worker';
import { createGenerationActivities } from '../../activities';
import { leasePoolWorkflowId, leasesQuery, type LeasePoolState } from '../../workflows/messages';
import { generationTaskQueue } from '../../worker/workers';
import { FAST_OPTIONS, startProduct, testActivityDeps, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats, updateSimulator } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';

/** Leases outlive this many times over while a generation runs. */
const LEASE_TTL_MS = 1000;
const CAP = 2;

let product: RunningProduct;
let extraConnection: NativeConnection;
let extraWorker: Worker;
let extraRunning: Promise<void>;

beforeAll(async () => {
  product = await startProduct({ name: 'lease', cap: CAP, deps: { leaseTtlMs: LEASE_TTL_MS } });
  // A second generation worker: twice the cap in activity slots, so only the slot pool stands between
  // an over-grant and Runway (the simulator's own concurrency is above the cap too).
  const stack = testStack();
  extraConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  extraWorker = await Worker.create({
    connection: extraConnection,
    namespace: stack.namespace,
    taskQueue: generationTaskQueue(product.taskQueue),
    activities: createGenerationActivities(testActivityDeps()),
    maxConcurrentActivityTaskExecutions: CAP,
    shutdownGraceTime: '2s',
  });
  extraRunning = extraWorker.run();
});
afterAll(async () => {
  await product.client.workflow
    .getHandle(leasePoolWorkflowId(product.taskQueue))
    .terminate()
    .catch(() => undefined);
  extraWorker.shutdown();
  await extraRunning.catch(() => undefined);
  await extraConnection.close();
  await product.stop();
});

function poolState(): Promise<LeasePoolState> {
  return product.client.workflow.getHandle(leasePoolWorkflowId(product.taskQueue)).query(leasesQuery);
}

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const OPTIONS = { ...FAST_OPTIONS, maxRunningWait: '2m' };

test('leases of generations that outlive their TTL are renewed, never reclaimed: at most cap tasks at once', async () => {
  // 4 s real per generation (600 simulated seconds per real second): each lease passes its TTL several times.
  await resetSimulator({ concurrency: 10, generationSeconds: { kind: 'fixed', seconds: 2400 } });
  const started = await product.api.campaigns.start({
    campaignId: `lease-renew-${product.taskQueue}`,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: ['A lighthouse at dusk', 'A lighthouse at dawn', 'A lighthouse in fog', 'A lighthouse in snow'].map((promptText, index) => ({
      id: `v${index + 1}`,
      promptText,
    })),
    options: OPTIONS,
  });
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const stats = await simulatorStats();
  expect(result.archived).toBe(4);
  expect(stats.submissions.total).toBe(4);
  expect(stats.throttledCount).toBe(0);
  expect(stats.maxConcurrentRunning.overall).toBe(CAP);
  const pool = await poolState();
  expect(pool.renewedLeases).toBeGreaterThan(0);
  expect(pool.reclaimedLeases ?? 0).toBe(0);
  expect(pool.holders).toEqual([]);
}, 120_000);

test('the lease of a terminated holder is reclaimed after its TTL and a waiting video proceeds', async () => {
  // 20 s real: neither holder finishes on its own during the test.
  await resetSimulator({ concurrency: 10, generationSeconds: { kind: 'fixed', seconds: 12_000 } });
  const before = (await poolState().catch(() => undefined))?.reclaimedLeases ?? 0;
  const video = (videoId: string, promptText: string) =>
    product.api.generations.startVideo({
      videoId: `${videoId}-${product.taskQueue}`,
      model: 'gen4.5',
      promptText,
      ratio: '1280:720',
      duration: 5,
      options: OPTIONS,
    });
  const doomed = await video('doomed', 'A slow tide, doomed');
  const survivor = await video('survivor', 'A slow tide, survivor');
  await eventually(
    'both holders generating',
    simulatorStats,
    (stats) => stats.tasks.filter((task) => task.status === 'RUNNING').length === 2,
  );
  await doomed.terminate('holder dies while holding its slot');

  await updateSimulator({ generationSeconds: { kind: 'fixed', seconds: 60 } });
  const waiter = await video('waiter', 'A quick wave');
  const result = await product.api.generations.waitForResult(waiter.workflowId);
  expect(result.submissions).toBe(1);
  // It proceeded on the dead holder's slot, not on one freed by the survivor, which still generates.
  expect((await survivor.describe()).status.name).toBe('RUNNING');
  expect((await simulatorStats()).tasks.filter((task) => task.status === 'RUNNING').length).toBeGreaterThanOrEqual(1);
  const pool = await poolState();
  expect((pool.reclaimedLeases ?? 0) - before).toBe(1);
  expect(pool.holders.map((lease) => lease.workflowId)).toEqual([survivor.workflowId]);

  await survivor.cancel();
  await expect(survivor.result()).rejects.toThrow();
}, 120_000);
