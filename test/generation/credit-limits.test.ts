import { leasePoolWorkflowId, leasesQuery } from '../../workflows/messages';
import { failureOf } from '../helpers/failure';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

/**
 * Every credit predicted: the workspace's 30-day spend cap honoured before any POST (the workload's check,
 * then the lease pool for what is already running), the pool's reservation corrected to Runway's
 * estimatedCost the moment the create answers, and no poll sooner than the floor after the last.
 */

const POLL_FLOOR_MS = 300;
/** A deployment of its own per test: the lease pool's 30-day count is the deployment's, as a workspace's is. */
let product: RunningProduct;
let deployments = 0;

beforeEach(async () => {
  deployments += 1;
  product = await startProduct({ name: `credits-${deployments}`, cap: 4, deps: { pollFloorMs: POLL_FLOOR_MS } });
});
afterEach(async () => {
  await product.stop();
});

const video = (videoId: string, model = 'gen4.5') =>
  product.api.generations.startVideo({
    videoId,
    model,
    promptText: `A harbour at dawn, ${videoId}`,
    ratio: '1280:720',
    duration: 5,
    options: FAST_OPTIONS,
  });

test('the 30-day spend cap: a generation the room cannot pay is refused before it starts, 0 POSTs', async () => {
  // 60 credits a 5 s gen4.5 clip; 30 already spent by other clients of the workspace.
  await resetSimulator({ maxMonthlyCreditSpend: 100, priorMonthlySpend: { 'gen4.5': 30 } });
  await (await video('fits')).result();
  const refused = await failureOf((await video('over-the-cap')).result());
  expect(refused).toMatchObject({ type: 'MonthlySpendCapReached' });
  expect(refused.message).toMatch(/spent 90 of its maxMonthlyCreditSpend of 100 in the past 30 days, so 10 are left/);
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('generations that each passed the check together: the pool grants what the cap can pay and refuses the rest, never over', async () => {
  await resetSimulator({ maxMonthlyCreditSpend: 100 });
  const handles = await Promise.all(['pair-a', 'pair-b'].map((id) => video(id)));
  const outcomes = await Promise.allSettled(handles.map((handle) => handle.result()));
  expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  const rejected = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
  expect(await failureOf(Promise.reject(rejected.reason))).toMatchObject({ type: 'MonthlySpendCapReached' });
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(stats.monthlySpend).toMatchObject({ spent: 60 });
});

test("the pool's reservation becomes Runway's estimatedCost when the create answers; the bill is Runway's", async () => {
  await resetSimulator({ maxMonthlyCreditSpend: 10_000 });
  // wan3's list price is a stated estimate in the catalog (300 credits for 5 s); the simulated Runway asks 50.
  const result = await (await video('estimated', 'wan3')).result();
  // The plan's estimate and Runway's bill, side by side in the result.
  expect(result).toMatchObject({ estimatedCredits: 300, credits: 50 });
  const pool = await product.client.workflow.getHandle(leasePoolWorkflowId(product.taskQueue)).query(leasesQuery);
  expect(pool.monthly?.spent).toBe(50);
});

test('polls never come sooner than the floor after the last, the predicted-end poll included', async () => {
  // 600 simulated seconds of generation at 600×: 1 s real, polled every 50 ms were it not for the floor.
  await resetSimulator({ pendingSeconds: 1, generationSeconds: { kind: 'fixed', seconds: 600 } });
  const startedAt = Date.now();
  const result = await (await video('floored')).result();
  const elapsedMs = Date.now() - startedAt;
  const { gets } = await simulatorStats();
  expect(result.submissions).toBe(1);
  expect(gets).toBeGreaterThanOrEqual(3);
  expect(gets).toBeLessThanOrEqual(Math.floor(elapsedMs / POLL_FLOOR_MS) + 1);
});
