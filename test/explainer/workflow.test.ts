import { type Client, WorkflowFailedError } from '@temporalio/client';
import { creditsFor, type ExplainerResult } from '../../schemas';
import type { ExplainerChunkFailure } from '../../schemas';
import { WorkloadIdKey } from '../../workflows/search-attributes';
import { EXPLAINER_CLIP_SECONDS, explainerInput } from '../helpers/explainer-input';
import { failureOf } from '../helpers/failure';
import { pollUntil } from '../helpers/poll';
import { startProduct, type RunningProduct } from '../helpers/product';
import { measureLoudness } from '../helpers/audio';
import { listKeys, readBytes } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';
import { storedMp4 } from '../helpers/stored-mp4';
import { productEnv, runCli, workerProcessQueue } from '../helpers/worker-process';

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'explainer', cap: 10 });
});
afterAll(async () => {
  await product.stop();
});

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** The activity types a workflow scheduled, from its history. */
async function scheduledActivities(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

async function expectAssembled(result: ExplainerResult, explainerId: string, clipSeconds: number[]) {
  expect(result.video.key).toBe(`explainers/${explainerId}/explainer.mp4`);
  expect(result.subtitles.key).toBe(`explainers/${explainerId}/explainer.vtt`);
  const mp4 = await storedMp4(result.video.key);
  expect(mp4.sha256).toBe(result.video.sha256);
  expect(mp4.streams).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(mp4.durationSeconds - sum(clipSeconds))).toBeLessThanOrEqual(0.1);
  expect(Math.abs(result.video.durationSeconds - sum(clipSeconds))).toBeLessThanOrEqual(0.1);
}

test('6 chunks: a clip and a voiceover each, assembled into one MP4 that ffprobe confirms; credits are what Runway billed', async () => {
  await resetSimulator();
  const explainerId = 'cells-101';
  const started = await product.api.explainers.startPlanned(explainerInput(explainerId));
  expect(started.workflowId).toBe(explainerId);
  const result = await product.api.explainers.waitForResult(explainerId);

  await expectAssembled(result, explainerId, EXPLAINER_CLIP_SECONDS);
  expect(result.chunks.map((chunk) => chunk.chunkId)).toEqual(['c01', 'c02', 'c03', 'c04', 'c05', 'c06']);
  for (const chunk of result.chunks) {
    expect(chunk.clipKey).toMatch(new RegExp(`^explainers/${explainerId}/${chunk.chunkId}--clip/.+\\.mp4$`));
    expect(chunk.voiceoverKey).toMatch(new RegExp(`^explainers/${explainerId}/${chunk.chunkId}--voice/.+\\.mp3$`));
  }
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(12);
  expect(stats.tasks.filter((task) => task.endpoint === 'text_to_speech')).toHaveLength(6);
  expect(result.credits).toBe(stats.credits.net);
  // Each voiceover's loudness was measured once it was archived, and the narration mixed to −16 LUFS by it.
  const activities = await scheduledActivities(product.client, explainerId);
  expect(activities.filter((name) => name === 'measureVoiceover')).toHaveLength(6);
  expect(activities.indexOf('measureVoiceover')).toBeLessThan(activities.indexOf('assembleExplainer'));
  const loudness = await measureLoudness(await readBytes(result.video.key));
  expect(Math.abs(loudness.integratedLufs - -16)).toBeLessThanOrEqual(1);
  expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1);

  const progress = await product.api.explainers.progress(explainerId);
  expect(progress).toMatchObject({ state: 'done', done: 12, total: 12, creditsSpent: result.credits });
  expect(progress.chunks.every((chunk) => chunk.clip === 'archived' && chunk.voiceover === 'archived')).toBe(true);
  // Every generation is a child listed under the explainer's WorkloadId in the Web UI.
  for (const id of [`${explainerId}--c01--clip`, `${explainerId}--c06--voice`]) {
    const child = await product.client.workflow.getHandle(id).describe();
    expect(child.status.name).toBe('COMPLETED');
    expect(child.typedSearchAttributes.get(WorkloadIdKey)).toBe(explainerId);
  }

  const env = productEnv(product.taskQueue);
  const status = await runCli(['explainer', 'status', explainerId, '--json'], env);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ explainerId, state: 'done', done: 12, total: 12 });
  const watched = await runCli(['explainer', 'watch', explainerId], env);
  expect(watched.code).toBe(0);
  expect(watched.stdout).toContain(`s3://${testStack().s3.bucket}/${result.video.key}`);
  expect(watched.stdout).toContain(`duration:  ${result.video.durationSeconds.toFixed(2)} s`);
  expect(watched.stdout).toContain(`s3://${testStack().s3.bucket}/${result.subtitles.key}`);
}, 120_000);

test('a chunk whose clip Runway moderates fails the explainer naming the chunk; nothing is assembled', async () => {
  await resetSimulator();
  const explainerId = 'cells-moderated';
  await product.api.explainers.startPlanned(
    explainerInput(explainerId, { clipPrompt: (index) => (index === 2 ? 'a forbidden-content scene of a nucleus' : undefined) }),
  );
  const failure = await failureOf(product.api.explainers.waitForResult(explainerId));
  expect(failure.type).toBe('ExplainerChunkFailed');
  expect(failure.message).toMatch(/^chunk c03's clip failed: ContentModeration: .*SAFETY\.INPUT\.TEXT.*nothing was assembled$/);
  const details = failure.details?.[0] as ExplainerChunkFailure;
  expect(details).toMatchObject({ chunkId: 'c03', generation: 'clip', error: { type: 'ContentModeration' } });
  expect(details.failed).toHaveLength(1);

  // The other generations were left to finish: Runway billed them, and a re-run reuses them.
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(12);
  expect(details.credits).toBe(stats.credits.net);
  expect(await listKeys(`explainers/${explainerId}/explainer`)).toEqual([]);
  expect(await scheduledActivities(product.client, explainerId)).not.toContain('assembleExplainer');
  const progress = await product.api.explainers.progress(explainerId);
  expect(progress.state).toBe('failed');
  expect(progress.chunks[2]).toMatchObject({ chunkId: 'c03', clip: 'failed', voiceover: 'archived' });
  expect(progress.chunks[2]!.error).toMatch(/^clip: ContentModeration/);

  // Re-run with the chunk's prompt fixed: only that clip is generated again, the rest is reused unbilled.
  await product.api.explainers.startPlanned(explainerInput(explainerId));
  const result = await product.api.explainers.waitForResult(explainerId);
  await expectAssembled(result, explainerId, EXPLAINER_CLIP_SECONDS);
  const after = await simulatorStats();
  expect(after.submissions.total).toBe(13);
  expect(result.credits).toBe(after.credits.net - stats.credits.net);
  expect(result.credits).toBe(creditsFor('gen4.5', EXPLAINER_CLIP_SECONDS[2]!));
}, 120_000);

test('a budget below the whole plan: the generation that does not fit is never sent and fails the explainer naming its chunk', async () => {
  await resetSimulator();
  const explainerId = 'cells-budget';
  // c01 and c02 (24 + 36 credits of clips, a credit or two of speech each) fit; c03's 48-credit clip does not.
  await product.api.explainers.startPlanned(explainerInput(explainerId, { budgetCredits: 100 }));
  const failure = await failureOf(product.api.explainers.waitForResult(explainerId));
  expect(failure.type).toBe('ExplainerChunkFailed');
  expect(failure.message).toMatch(
    /^chunk c03's clip failed: BudgetExceeded: take 1 of c03 needs 48 credits; the explainer budget of 100 credits/,
  );
  const stats = await simulatorStats();
  expect(stats.tasks.some((task) => task.endpoint !== 'text_to_speech' && task.duration === 4)).toBe(false);
  expect(stats.credits.net).toBeLessThanOrEqual(100);
  expect((failure.details?.[0] as ExplainerChunkFailure).credits).toBe(stats.credits.net);
  expect(await scheduledActivities(product.client, explainerId)).not.toContain('assembleExplainer');
}, 120_000);

test('cancelling an explainer cancels its generations, which DELETE their remote tasks; nothing is assembled', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'endless dance' }, fault: 'stuck_running' }] } });
  const explainerId = 'cells-cancelled';
  await product.api.explainers.startPlanned(
    explainerInput(explainerId, {
      chunks: 2,
      narration: (index) => `An endless dance of molecules, part ${index + 1}.`,
      options: { maxRunningWait: '1h' },
    }),
  );
  await pollUntil(
    '4 remote tasks running',
    simulatorStats,
    (stats) => stats.tasks.filter((task) => task.status === 'RUNNING').length === 4,
    30_000,
  );
  await product.api.explainers.cancel(explainerId);
  await expect(product.api.explainers.waitForResult(explainerId)).rejects.toBeInstanceOf(WorkflowFailedError);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(4);
  expect(stats.tasks.map((task) => task.deleted)).toEqual([true, true, true, true]);
  expect(await scheduledActivities(product.client, explainerId)).not.toContain('assembleExplainer');
  expect(await listKeys(`explainers/${explainerId}/explainer`)).toEqual([]);
  expect((await product.client.workflow.getHandle(explainerId).describe()).status.name).toBe('CANCELLED');
  for (const id of [`${explainerId}--c01--clip`, `${explainerId}--c02--voice`]) {
    expect((await product.client.workflow.getHandle(id).describe()).status.name).toBe('CANCELLED');
  }
  expect((await product.api.explainers.progress(explainerId)).state).toBe('cancelled');
}, 90_000);

describe('a worker SIGKILLed during assembly', () => {
  const workers = workerProcessQueue('explainer-crash');

  test('the retry on a new worker finishes it: one MP4, nothing generated twice', async () => {
    await resetSimulator();
    const { api } = workers;
    let worker = await workers.spawn();
    const explainerId = 'cells-crash';
    // Burnt-in subtitles re-encode the picture: an assembly long enough to be caught running.
    await api.explainers.startPlanned({ ...explainerInput(explainerId), burnSubtitles: true });
    const handle = api.client.workflow.getHandle(explainerId);
    await pollUntil(
      'the assembly activity running on the worker',
      async () => (await handle.describe()).raw.pendingActivities ?? [],
      (pending) => pending.some((activity) => activity.activityType?.name === 'assembleExplainer' && activity.lastStartedTime),
      90_000,
      50,
    );
    worker.child.kill('SIGKILL');
    expect((await worker.exited).signal).toBe('SIGKILL');
    expect(await listKeys(`explainers/${explainerId}/explainer`)).toEqual([]);
    worker = await workers.spawn();

    const result = await api.explainers.waitForResult(explainerId);
    await expectAssembled(result, explainerId, EXPLAINER_CLIP_SECONDS);
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'assembleExplainer')!;
    const started = events.find(
      (event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId),
    );
    // One activity, retried after the kill: the attempt that completed was not the first.
    const assemblyStarts = [started?.activityTaskStartedEventAttributes?.attempt ?? 0];
    expect(Math.max(...assemblyStarts)).toBeGreaterThanOrEqual(2);
    const stats = await simulatorStats();
    expect(stats.submissions.total).toBe(12);
    expect(result.credits).toBe(stats.credits.net);
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 240_000);
});
