import { MockActivityEnvironment } from '@temporalio/testing';
import { createGenerate, type GenerateInput, type GenerateOutcome } from '../../activities/generate';
import { testActivityDeps } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

const deps = testActivityDeps();
const generateVideo = createGenerate(deps);

function runIn(env: MockActivityEnvironment, generateInput: GenerateInput): Promise<GenerateOutcome> {
  return env.run<[GenerateInput], GenerateOutcome, typeof generateVideo>(generateVideo, generateInput);
}

const input: GenerateInput = {
  videoId: 'unit-video',
  submission: 1,
  request: { model: 'gen4.5', promptText: 'A paper boat on a puddle', ratio: '1280:720', duration: 5 },
  pollIntervalMs: 50,
  pollJitter: 0,
  maxPendingWaitMs: 20_000,
  maxRunningWaitMs: 20_000,
};

test('records the task id in its first heartbeat, before any poll', async () => {
  await resetSimulator();
  const env = new MockActivityEnvironment();
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const outcome = await runIn(env, input);
  expect(outcome.kind).toBe('succeeded');
  expect(heartbeats[0]).toMatchObject({ taskId: outcome.taskId, lastStatus: 'SUBMITTED', polls: 0 });
});

test('an attempt that starts with heartbeat details resumes that task and never POSTs', async () => {
  await resetSimulator();
  const existing = await deps.runway.createTask('text_to_video', { model: 'gen4.5', promptText: 'Already submitted', ratio: '1280:720', duration: 5 });
  const env = new MockActivityEnvironment({ heartbeatDetails: { taskId: existing.id, submittedAt: Date.now(), lastStatus: 'PENDING', polls: 3 }, attempt: 2 });
  const outcome = await runIn(env, input);
  expect(outcome).toMatchObject({ kind: 'succeeded', taskId: existing.id });
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('503s on GET are missed polls inside one attempt', async () => {
  await resetSimulator({ faults: { rules: [{ fault: 'http_error', route: 'get', status: 503, times: 3 }] } });
  const outcome = await runIn(new MockActivityEnvironment(), input);
  expect(outcome.kind).toBe('succeeded');
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('a queue wait past maxPendingWait DELETEs the remote task and reports queue_timeout', async () => {
  await resetSimulator({ faults: { rules: [{ fault: 'stuck_queue', match: { promptIncludes: 'paper boat' } }] } });
  const outcome = await runIn(new MockActivityEnvironment(), { ...input, maxPendingWaitMs: 500 });
  expect(outcome).toMatchObject({ kind: 'queue_timeout', deleted: true });
  const stats = await simulatorStats();
  expect(stats.deletes).toBe(1);
  expect(stats.tasks.find((task) => task.id === outcome.taskId)?.deleted).toBe(true);
});
