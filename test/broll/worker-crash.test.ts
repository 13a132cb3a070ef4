import { brollInput, parseEdl } from '../helpers/broll-input';
import { readText } from '../helpers/s3-object';
import { pollUntil, sleep } from '../helpers/poll';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { workerProcessQueue } from '../helpers/worker-process';

const workers = workerProcessQueue('broll-crash');

test('a worker SIGKILLed while the project waits for review loses nothing; the review sent meanwhile completes', async () => {
  await resetSimulator();
  const { api } = workers;
  let worker = await workers.spawn();
  const projectId = 'doc-crash';
  const prompts = ['A tram in the rain', 'A radio tower at night', 'Fishermen mending nets', 'A printing press'];
  await api.broll.startPlanned(brollInput(projectId, prompts));
  const before = await pollUntil(
    'all clips awaiting review',
    () => api.broll.progress(projectId),
    (progress) => progress.counts['awaiting-review'] === 4,
    60_000,
  );

  worker.child.kill('SIGKILL');
  expect((await worker.exited).signal).toBe('SIGKILL');
  // The editor's decisions arrive while no worker runs: the Update waits in Temporal for the next one.
  const review = api.broll.review(projectId, [
    { key: 's01', action: 'approve' },
    { key: 's02', action: 'reject', promptText: 'A radio tower at dawn, fog' },
    { key: 's03', action: 'approve' },
    { key: 's04', action: 'approve' },
  ]);
  await sleep(1_000);
  worker = await workers.spawn();

  const reviewed = await review;
  expect(reviewed.counts).toMatchObject({ approved: 3, generating: 1 });
  const kept = reviewed.items.find((segment) => segment.key === 's01')!;
  expect(kept).toMatchObject({ selectedTake: 1, takes: before.items.find((segment) => segment.key === 's01')!.takes });
  await pollUntil(
    's02 regenerated',
    () => api.broll.progress(projectId),
    (progress) => progress.pendingDecisions.includes('s02'),
    60_000,
  );
  await api.broll.approve(projectId, ['s02']);
  const result = await api.broll.finalize(projectId);

  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(5);
  expect(result).toMatchObject({ state: 'finalized', missing: [], credits: stats.credits.net });
  expect(parseEdl(await readText(result.editList.edlKey)).events).toHaveLength(4);
  worker.child.kill('SIGTERM');
  await worker.exited;
}, 180_000);
