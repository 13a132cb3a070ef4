import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { workerProcessQueue } from '../helpers/worker-process';

const workers = workerProcessQueue('crash');

function journalEntries(dir: string): number {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.json')).length;
}

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
  const { api } = workers;
  let worker = await workers.spawn();
  const handle = await api.generations.startVideo({
    videoId: 'crash-resume',
    model: 'gen4.5',
    promptText: 'A lighthouse in a storm',
    ratio: '1280:720',
    duration: 5,
    options: { pollInterval: 200, maxPendingWait: '1h', maxRunningWait: '1h' },
  });

  const taskId = await until(async () => (await simulatorStats()).tasks[0]?.id, 30_000);
  const getsBeforeKill = await until(async () => {
    const stats = await simulatorStats();
    return stats.gets >= 3 ? stats.gets : undefined;
  }, 30_000);
  expect(getsBeforeKill).toBeGreaterThanOrEqual(3);
  worker.child.kill('SIGKILL');
  expect((await worker.exited).signal).toBe('SIGKILL');

  worker = await workers.spawn();
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(result.runwayTaskId).toBe(taskId);
  expect(result.submissions).toBe(1);
  expect(stats.submissions.total).toBe(1);
  expect(stats.deletes).toBe(0);
  worker.child.kill('SIGTERM');
  expect((await worker.exited).code).toBe(0);
}, 120_000);

test('after a SIGKILL the orphaned remote tasks keep their slots: the restarted worker never exceeds the cap (0 THROTTLED)', async () => {
  // Cap 3 here and at the simulator; 7 variants of ~8 s real each, so the kill lands with 3 running and 4 waiting.
  await resetSimulator({ concurrency: 3, generationSeconds: { kind: 'fixed', seconds: 4_800 } });
  const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-cap-journal-'));
  const capEnv = { RUNWAY_MAX_CONCURRENCY: '3', SUBMISSION_JOURNAL_DIR: journalDir };
  const { api } = workers;
  let worker = await workers.spawn(capEnv);
  const variants = Array.from({ length: 7 }, (_, index) => ({ id: `v${index + 1}`, promptText: `Slot test shot ${index + 1}` }));
  const started = await api.campaigns.start({
    campaignId: 'crash-cap',
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants,
    options: { pollInterval: 200, maxPendingWait: '1h', maxRunningWait: '1h' },
  });
  // Killed once the worker has recorded all three tasks: a kill between Runway creating a task and the
  // worker reading the answer is the one duplicate no client can prevent (see docs/reliability.md).
  await until(async () => ((await simulatorStats()).submissions.total >= 3 && journalEntries(journalDir) >= 3 ? true : undefined), 30_000);
  worker.child.kill('SIGKILL');
  await worker.exited;

  worker = await workers.spawn(capEnv);
  const result = await api.campaigns.waitForResult(started.campaignId);
  const stats = await simulatorStats();
  expect(result.archived).toBe(7);
  expect(stats.submissions.total).toBe(7);
  expect(stats.throttledCount).toBe(0);
  expect(stats.maxConcurrentRunning.overall).toBeLessThanOrEqual(3);
  worker.child.kill('SIGTERM');
  await worker.exited;
}, 180_000);
