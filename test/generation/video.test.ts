import path from 'node:path';
import { FAST_OPTIONS, type RunningProduct, startProduct, startTextVideo } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { pollUntil } from '../helpers/poll';
import { objectSha256 } from '../helpers/s3-object';
import { testStack } from '../helpers/stack';
import { failureOf } from '../helpers/failure';

const heroImage = path.resolve(__dirname, '../../examples/assets/hero-product.jpg');
let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'video' });
});
afterAll(async () => {
  await product.stop();
});
beforeEach(async () => {
  await resetSimulator();
});

test('image to video: a local image is staged, submitted once, archived with the simulator sha256 and safe metadata', async () => {
  const handle = await product.api.generations.startVideo({
    videoId: 'hero-image',
    model: 'gen4_turbo',
    promptImage: heroImage,
    promptText: 'The product turns slowly on a studio table',
    ratio: '16:9',
    duration: 5,
    options: FAST_OPTIONS,
  });
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(result.submissions).toBe(1);
  expect(result.s3.key).toBe(`single/hero-image/${result.runwayTaskId}.mp4`);
  const task = stats.tasks.find((candidate) => candidate.id === result.runwayTaskId);
  expect(task?.outputSha256).toBe(result.s3.sha256);
  const stored = await objectSha256(result.s3.key);
  expect(stored.sha256).toBe(result.s3.sha256);
  expect(stored.bytes).toBe(result.s3.bytes);
  expect(stored.metadata).toMatchObject({
    'workload-id': 'single',
    'generation-key': 'hero-image',
    model: 'gen4_turbo',
    'runway-task-id': result.runwayTaskId,
    credits: '25',
  });
  const metadataText = JSON.stringify(stored.metadata);
  expect(metadataText).not.toContain(testStack().runwayApiSecret);
  expect(metadataText).not.toContain(testStack().s3.secretAccessKey);
  expect(result.credits).toBe(25);
});

test('text to video on gen4.5 archives one MP4', async () => {
  const handle = await product.api.generations.startVideo({
    videoId: 'text-only',
    model: 'gen4.5',
    promptText: 'Fog rolls over a harbour at dawn',
    ratio: '1280:720',
    duration: 4,
    options: FAST_OPTIONS,
  });
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(stats.submissions.byModel['gen4.5']).toBe(1);
  expect((await objectSha256(result.s3.key)).sha256).toBe(result.s3.sha256);
});

test('the pre-screen refuses a prompt before any POST: PromptRejected, 0 submissions', async () => {
  const handle = await startTextVideo(product.api, 'refused', 'a scene full of gore');
  const failure = await failureOf(handle.result());
  expect(failure.type).toBe('PromptRejected');
  expect((await simulatorStats()).submissions.total).toBe(0);
});

test('Runway moderation (SAFETY.*) fails the video after exactly one POST, never resubmitted', async () => {
  const handle = await startTextVideo(product.api, 'moderated', 'a forbidden-content scene');
  const failure = await failureOf(handle.result());
  expect(failure.type).toBe('ContentModeration');
  expect(failure.message).toContain('SAFETY.INPUT.TEXT');
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('INTERNAL.BAD_OUTPUT once, then success: exactly 2 POSTs', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'glitchy lighthouse' }, fault: 'bad_output', times: 1 }] } });
  const handle = await startTextVideo(product.api, 'bad-output', 'a glitchy lighthouse at night');
  const result = await handle.result();
  expect(result.submissions).toBe(2);
  expect(result.submissionHistory[0]).toMatchObject({ outcome: 'failed', failureCode: 'INTERNAL.BAD_OUTPUT.CODE01' });
  expect((await simulatorStats()).submissions.total).toBe(2);
});

test('a task stuck in the queue past maxPendingWait is DELETEd and resubmitted', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'stuck ferry' }, fault: 'stuck_queue', times: 1 }] } });
  const handle = await product.api.generations.startVideo({
    videoId: 'stuck',
    model: 'gen4.5',
    promptText: 'a stuck ferry in the ice',
    ratio: '1280:720',
    duration: 5,
    options: { ...FAST_OPTIONS, maxPendingWait: '1500ms' },
  });
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(result.submissions).toBe(2);
  expect(result.submissionHistory[0]?.outcome).toBe('queue_timeout');
  expect(stats.submissions.total).toBe(2);
  expect(stats.deletes).toBe(1);
  const first = stats.tasks.find((task) => task.id === result.submissionHistory[0]?.taskId);
  expect(first?.deleted).toBe(true);
});

// The first URL goes to the poll that saw SUCCEEDED (and is never used); the second, the archive's, is expired too.
test('an expired signed URL is replaced by a fresh GET and the video archived', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'expiring tide' }, fault: 'expire_url', times: 2 }] } });
  const handle = await startTextVideo(product.api, 'expired-url', 'an expiring tide');
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(stats.downloads.forbidden).toBeGreaterThanOrEqual(1);
  expect(stats.submissions.total).toBe(1);
  expect((await objectSha256(result.s3.key)).sha256).toBe(stats.tasks[0]?.outputSha256);
});

test('a truncated download is retried and the archived sha256 equals the simulator record', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'short reel' }, fault: 'truncate_download', times: 1 }] } });
  const handle = await startTextVideo(product.api, 'truncated', 'a short reel of film');
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(stats.downloads.truncated).toBe(1);
  expect(stats.submissions.total).toBe(1);
  expect(result.s3.sha256).toBe(stats.tasks[0]?.outputSha256);
  expect((await objectSha256(result.s3.key)).sha256).toBe(stats.tasks[0]?.outputSha256);
});

test('cancelling the workflow DELETEs the remote task', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'endless dance' }, fault: 'stuck_running' }] } });
  const handle = await startTextVideo(product.api, 'cancelled', 'an endless dance');
  await pollUntil(
    'the video running',
    async () => (await product.api.generations.progress(handle.workflowId).catch(() => undefined))?.state,
    (state) => state === 'running',
  );
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow();
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(stats.deletes).toBeGreaterThanOrEqual(1);
  expect(stats.tasks[0]?.deleted).toBe(true);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
});
