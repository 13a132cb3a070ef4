import { DEFAULT_GENERATION_OPTIONS } from '../../schemas/options';
import { generationScheduleToCloseMs } from '../../workflows/activity-stubs';
import { startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { failureOf } from '../helpers/failure';

/** Short waits, so the derived bound is 2 + 2 + 30 s (the margin's floor). */
const SHORT = { pollInterval: 100, pollJitter: 0.1, maxPendingWait: '2s', maxRunningWait: '2s', maxSubmissions: 3 } as const;
const SHORT_BOUND_MS = 34_000;

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'retry-bounds' });
});
afterAll(async () => {
  await product.stop();
});

test('the generation bound: the waits plus a margin that scales with them, never below 30 s', () => {
  // Defaults 20 + 30 min: a 10 min margin, a fifth of the waits.
  expect(generationScheduleToCloseMs(DEFAULT_GENERATION_OPTIONS)).toBe(60 * 60_000);
  expect(generationScheduleToCloseMs({ maxPendingWaitMs: 2_000, maxRunningWaitMs: 2_000, pollIntervalMs: 100 })).toBe(SHORT_BOUND_MS);
  // A slow poll widens the margin: ten polls.
  expect(generationScheduleToCloseMs({ maxPendingWaitMs: 2_000, maxRunningWaitMs: 2_000, pollIntervalMs: 8_000 })).toBe(84_000);
  expect(generationScheduleToCloseMs({ maxPendingWaitMs: 60 * 60_000, maxRunningWaitMs: 60 * 60_000, pollIntervalMs: 8_000 })).toBe(
    144 * 60_000,
  );
});

test('Runway answering 503 to every POST ends as a typed failure within the bound, not an activity retrying forever', async () => {
  await resetSimulator({
    faults: { rules: [{ match: { promptIncludes: 'closed harbour' }, fault: 'http_error', route: 'create', status: 503 }] },
  });
  const startedAt = Date.now();
  const handle = await product.api.generations.startVideo({
    videoId: 'post-503',
    model: 'gen4.5',
    promptText: 'A closed harbour at dusk',
    ratio: '1280:720',
    duration: 5,
    options: SHORT,
  });
  const failure = await failureOf(handle.result());
  const elapsedMs = Date.now() - startedAt;
  expect(failure.type).toBe('RunwayUnavailable');
  expect(failure.message).toContain('gave up');
  expect(failure.message).toContain('503');
  expect(elapsedMs).toBeLessThan(SHORT_BOUND_MS + 15_000);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(0);
  expect((stats as unknown as { requests: { creates: number } }).requests.creates).toBeGreaterThan(2);
}, 90_000);

test('a task whose every GET fails: the bound ends it, the workflow DELETEs the task the attempt opened, one POST', async () => {
  await resetSimulator({
    faults: { rules: [{ match: { promptIncludes: 'foggy pier' }, fault: 'http_error', route: 'get', status: 503 }] },
  });
  const startedAt = Date.now();
  const handle = await product.api.generations.startVideo({
    videoId: 'get-503',
    model: 'gen4.5',
    promptText: 'A foggy pier at dawn',
    ratio: '1280:720',
    duration: 5,
    options: SHORT,
  });
  const failure = await failureOf(handle.result());
  expect(Date.now() - startedAt).toBeLessThan(SHORT_BOUND_MS + 15_000);
  expect(failure.type).toBe('RunwayUnavailable');
  expect(failure.message).toContain('gave up');
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(stats.tasks[0]?.deleted).toBe(true);
}, 90_000);
