import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGenerate, type GenerateInput } from '../../activities/generate';
import type { GenerateOutcome } from '../../schemas';
import { testActivityDeps } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

const deps = testActivityDeps();
const generate = createGenerate(deps);

let activityCount = 0;

/** Every test's activity is a new one (the worker's ledger remembers tasks by activity), unless it says otherwise. */
function newEnv(info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}): MockActivityEnvironment {
  return new MockActivityEnvironment({ activityId: `unit-${++activityCount}`, ...info });
}

function runIn(env: MockActivityEnvironment, generateInput: GenerateInput): Promise<GenerateOutcome> {
  return env.run<[GenerateInput], GenerateOutcome, typeof generate>(generate, generateInput);
}

const input: GenerateInput = {
  generationId: 'unit-video',
  submission: 1,
  request: { model: 'gen4.5', promptText: 'A paper boat on a puddle', ratio: '1280:720', duration: 5 },
  pollIntervalMs: 50,
  pollJitter: 0,
  maxPendingWaitMs: 20_000,
  maxRunningWaitMs: 20_000,
};

test('records the task id in its first heartbeat, before any poll', async () => {
  await resetSimulator();
  const env = newEnv();
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const outcome = await runIn(env, input);
  expect(outcome.kind).toBe('succeeded');
  expect(heartbeats[0]).toMatchObject({ taskId: outcome.taskId, lastStatus: 'SUBMITTED', polls: 0 });
});

test('an attempt that starts with heartbeat details resumes that task and never POSTs', async () => {
  await resetSimulator();
  const existing = await deps.runway.createTask('text_to_video', {
    model: 'gen4.5',
    promptText: 'Already submitted',
    ratio: '1280:720',
    duration: 5,
  });
  const env = newEnv({ heartbeatDetails: { taskId: existing.id, submittedAt: Date.now(), lastStatus: 'PENDING', polls: 3 }, attempt: 2 });
  const outcome = await runIn(env, input);
  expect(outcome).toMatchObject({ kind: 'succeeded', taskId: existing.id });
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('503s on GET are missed polls inside one attempt', async () => {
  await resetSimulator({ faults: { rules: [{ fault: 'http_error', route: 'get', status: 503, times: 3 }] } });
  const outcome = await runIn(newEnv(), input);
  expect(outcome.kind).toBe('succeeded');
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('a queue wait past maxPendingWait DELETEs the remote task and reports queue_timeout', async () => {
  await resetSimulator({ faults: { rules: [{ fault: 'stuck_queue', match: { promptIncludes: 'paper boat' } }] } });
  const outcome = await runIn(newEnv(), { ...input, maxPendingWaitMs: 500 });
  expect(outcome).toMatchObject({ kind: 'queue_timeout', deleted: true });
  const stats = await simulatorStats();
  expect(stats.deletes).toBe(1);
  expect(stats.tasks.find((task) => task.id === outcome.taskId)?.deleted).toBe(true);
});

describe('an attempt whose heartbeat never reached Temporal (server down) is not submitted again', () => {
  test('a retry in the same worker process adopts the task the failed attempt created', async () => {
    await resetSimulator({ faults: { rules: [{ fault: 'http_error', route: 'get', status: 503, times: 5 }] } });
    const first = runIn(newEnv({ activityId: 'retry-after-failure', attempt: 1 }), input).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Five missed polls in a row fail the attempt (retryably) after its POST.
    await expect(first).resolves.toMatchObject({ type: 'RunwayUnavailable' });
    const retried = await runIn(newEnv({ activityId: 'retry-after-failure', attempt: 2 }), input);
    const stats = await simulatorStats();
    expect(stats.submissions.total).toBe(1);
    expect(retried).toMatchObject({ kind: 'succeeded', taskId: stats.tasks[0]!.id });
  });

  test('a retry that starts while the earlier POST is in flight waits for its answer and adopts it', async () => {
    await resetSimulator({ faults: { latencyMs: { min: 400, max: 400 } } });
    const firstAttempt = runIn(newEnv({ activityId: 'retry-during-post', attempt: 1 }), input);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const secondAttempt = runIn(newEnv({ activityId: 'retry-during-post', attempt: 2 }), input);
    const [first, second] = await Promise.all([firstAttempt, secondAttempt]);
    expect((await simulatorStats()).submissions.total).toBe(1);
    expect(second.taskId).toBe(first.taskId);
    expect(second.kind).toBe('succeeded');
  });

  test('a retry after the earlier attempt returned (Temporal had timed it out and rejected the result) adopts too', async () => {
    await resetSimulator();
    const first = await runIn(newEnv({ activityId: 'retry-after-result', attempt: 1 }), input);
    const second = await runIn(newEnv({ activityId: 'retry-after-result', attempt: 2 }), input);
    expect(second).toMatchObject({ kind: 'succeeded', taskId: first.taskId });
    expect((await simulatorStats()).submissions.total).toBe(1);
  });

  test('a restarted worker (a new ledger) adopts the task from the journal on disk', async () => {
    await resetSimulator();
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'journal-'));
    const before = createGenerate({ ...deps, submissionJournalDir: journalDir });
    const after = createGenerate({ ...deps, submissionJournalDir: journalDir });
    const info = { activityId: 'restarted-worker', workflowExecution: { workflowId: 'unit-journal', runId: 'run-1' } };
    const first = await new MockActivityEnvironment({ ...info, attempt: 1 }).run<[GenerateInput], GenerateOutcome, typeof before>(
      before,
      input,
    );
    const second = await new MockActivityEnvironment({ ...info, attempt: 2 }).run<[GenerateInput], GenerateOutcome, typeof after>(
      after,
      input,
    );
    expect(second).toMatchObject({ kind: 'succeeded', taskId: first.taskId });
    expect((await simulatorStats()).submissions.total).toBe(1);
  });

  test('a different activity (another submission) still submits its own task', async () => {
    await resetSimulator();
    const first = await runIn(newEnv({ activityId: 'gen-1' }), input);
    const second = await runIn(newEnv({ activityId: 'gen-2' }), { ...input, submission: 2 });
    expect(second.taskId).not.toBe(first.taskId);
    expect((await simulatorStats()).submissions.total).toBe(2);
  });
});

test('a GET answered 200 off the contract fails the attempt non-retryably, naming the field, and DELETEs the task', async () => {
  await resetSimulator({
    faults: { rules: [{ fault: 'off_contract', match: { promptIncludes: 'paper boat' }, body: { status: 'ARCHIVED' } }] },
  });
  const error = await runIn(newEnv(), input).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toMatchObject({ type: 'RunwayProtocolError', nonRetryable: true });
  expect((error as Error).message).toContain('"status"');
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(stats.tasks[0]?.deleted).toBe(true);
});

test('a FAILED task carries its failure class', async () => {
  await resetSimulator({ faults: { rules: [{ fault: 'fail', match: { promptIncludes: 'paper boat' }, failureCode: 'ASSET.INVALID' }] } });
  const outcome = await runIn(newEnv(), input);
  expect(outcome).toMatchObject({ kind: 'failed', failureCode: 'ASSET.INVALID', failureClass: 'input' });
});
