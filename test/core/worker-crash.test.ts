import { Client, Connection } from '@temporalio/client';
import { RunwayTemporal } from '../../client';
import { createS3Client } from '../../worker/s3-client';
import { stackS3Env, uniqueTaskQueue } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';

const taskQueue = uniqueTaskQueue('crash');
let api: RunwayTemporal;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  const connection = await Connection.connect({ address: testStack().temporalAddress });
  const s3Env = stackS3Env();
  api = new RunwayTemporal({ client: new Client({ connection, namespace: testStack().namespace }), s3: createS3Client(s3Env), taskQueue, bucket: s3Env.S3_BUCKET, prefix: '' });
});
afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await api.close();
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a worker SIGKILLed mid-poll is replaced and the same Runway task is resumed: 1 POST', async () => {
  // 20 s real of generation: the worker dies while its activity is polling.
  await resetSimulator({ generationSeconds: { kind: 'fixed', seconds: 12_000 } });
  worker = spawnWorker(taskQueue);
  await worker.ready;
  const handle = await api.startVideo({ videoId: 'crash-resume', model: 'gen4.5', promptText: 'A lighthouse in a storm', ratio: '1280:720', duration: 5, options: { pollInterval: 200, maxPendingWait: '1h', maxRunningWait: '1h' } });

  const taskId = await until(async () => (await simulatorStats()).tasks[0]?.id, 30_000);
  const getsBeforeKill = await until(async () => {
    const stats = await simulatorStats();
    return stats.gets >= 3 ? stats.gets : undefined;
  }, 30_000);
  expect(getsBeforeKill).toBeGreaterThanOrEqual(3);
  worker.child.kill('SIGKILL');
  expect((await worker.exited).signal).toBe('SIGKILL');

  worker = spawnWorker(taskQueue);
  await worker.ready;
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(result.runwayTaskId).toBe(taskId);
  expect(result.submissions).toBe(1);
  expect(stats.submissions.total).toBe(1);
  expect(stats.deletes).toBe(0);
  worker.child.kill('SIGTERM');
  expect((await worker.exited).code).toBe(0);
}, 120_000);
