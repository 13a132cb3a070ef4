import type { CampaignFileInput } from '../../schemas';
import { leasePoolWorkflowId, campaignProgressQuery, refreshLimitsSignal } from '../../workflows/messages';
import { explainerInput } from '../helpers/explainer-input';
import { failureOf } from '../helpers/failure';
import { pollUntil } from '../helpers/poll';
import { FAST_OPTIONS, type RunningProduct, startProduct, startTextVideo } from '../helpers/product';
import { productEnv, runCli } from '../helpers/worker-process';
import { resetDailyUsage, resetSimulator, simulatorLiveStats, simulatorStats, updateSimulator } from '../helpers/simulator-admin';

/**
 * The workspace's limits as the product learns them from Runway (GET /v1/organization): a cap per model,
 * a tier change picked up mid-run, daily quotas waited out, credits checked before anything is spent.
 * No deployment ceiling (RUNWAY_MAX_CONCURRENCY) here: the workspace's numbers are the only caps.
 */

/** Generations of 3 s real (600 simulated s per real s), so the caps are saturated while they are measured. */
const SLOW_GENERATIONS = { generationSeconds: { kind: 'fixed', seconds: 1800 } } as const;
/** Generations of 1 s real. */
const SHORT_GENERATIONS = { generationSeconds: { kind: 'fixed', seconds: 600 } } as const;

const products: RunningProduct[] = [];

/** A deployment on a queue (and lease pool) of its own, with the workspace's caps and no ceiling under them. */
async function deployment(name: string, limitsRefreshMs: number): Promise<RunningProduct> {
  const product = await startProduct({ name, cap: 20, deps: { concurrencyCeiling: undefined, limitsRefreshMs } });
  products.push(product);
  return product;
}

afterAll(async () => {
  for (const product of products) {
    await product.client.workflow
      .getHandle(leasePoolWorkflowId(product.taskQueue))
      .terminate()
      .catch(() => undefined);
    await product.stop();
  }
});

function campaign(campaignId: string, variants: Array<{ model: 'gen4.5' | 'veo3.1_fast'; count: number }>): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: variants.flatMap(({ model, count }) =>
      Array.from({ length: count }, (_, index) => ({
        id: `${model.replace(/\W/g, '')}-${index + 1}`,
        promptText: `${campaignId}: a ${model} product shot, take ${index + 1}`,
        ...(model === 'gen4.5' ? {} : { overrides: { model, duration: 4 } }),
      })),
    ),
    options: FAST_OPTIONS,
  };
}

test('each model runs up to its own workspace cap at once: 2 of gen4.5 beside 4 of veo3.1_fast, none THROTTLED', async () => {
  const product = await deployment('ws-caps', 500);
  await resetSimulator({ concurrencyByModel: { 'gen4.5': 2, 'veo3.1_fast': 4 }, ...SLOW_GENERATIONS });
  const started = await product.api.campaigns.start(
    campaign('ws-caps', [
      { model: 'gen4.5', count: 6 },
      { model: 'veo3.1_fast', count: 8 },
    ]),
  );
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const stats = await simulatorStats();
  expect(result.archived).toBe(14);
  expect(stats.submissions.total).toBe(14);
  expect(stats.throttledCount).toBe(0);
  // Each model's live Runway tasks reached its own cap and never passed it: one shared number would do neither.
  expect(stats.maxLive.byModel).toEqual({ 'gen4.5': 2, 'veo3.1_fast': 4 });
}, 120_000);

test('a tier change mid-run takes effect without a restart: the cap rises from 2 to 4 within a refresh', async () => {
  const product = await deployment('ws-tier', 500);
  await resetSimulator({ concurrencyByModel: { 'gen4.5': 2 }, ...SLOW_GENERATIONS });
  const started = await product.api.campaigns.start(campaign('ws-tier', [{ model: 'gen4.5', count: 12 }]));
  await pollUntil('two live tasks', simulatorLiveStats, (stats) => (stats.currentLive.byModel['gen4.5'] ?? 0) === 2, 30_000, 100);
  const before = await simulatorLiveStats();
  await updateSimulator({ concurrencyByModel: { 'gen4.5': 4 } });
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const stats = await simulatorStats();
  expect(before.maxLive.byModel['gen4.5']).toBe(2);
  expect(result.archived).toBe(12);
  expect(stats.maxLive.byModel['gen4.5']).toBe(4);
  expect(stats.throttledCount).toBe(0);
}, 120_000);

test('a model the workspace does not have is refused before any POST, naming the models it has', async () => {
  const product = await deployment('ws-models', 500);
  await resetSimulator({ models: ['gen4.5', 'gen4_turbo'] });
  const started = await product.api.campaigns.start(
    campaign('ws-models', [
      { model: 'gen4.5', count: 2 },
      { model: 'veo3.1_fast', count: 1 },
    ]),
  );
  const failure = await failureOf(product.api.campaigns.waitForResult(started.campaignId));
  expect(failure.type).toBe('ModelUnavailable');
  expect(failure.message).toContain('veo3.1_fast');
  expect(failure.message).toContain('it has: gen4.5, gen4_turbo');
  expect((await simulatorStats()).submissions.total).toBe(0);
});

test('a campaign its credits cannot pay is refused before any POST, saying both numbers', async () => {
  const product = await deployment('ws-credits', 500);
  await resetSimulator({ creditBalance: 100 });
  const started = await product.api.campaigns.start(campaign('ws-credits', [{ model: 'gen4.5', count: 3 }]));
  const failure = await failureOf(product.api.campaigns.waitForResult(started.campaignId));
  expect(failure.type).toBe('InsufficientCredits');
  // Three 5 s gen4.5 clips at 12 credits a second.
  expect(failure.message).toContain('about 180 credits');
  expect(failure.message).toContain('has 100');
  expect((await simulatorStats()).submissions.total).toBe(0);
});

test('out of credits mid-run: Runway refuses one create, the submissions still waiting fail typed without a POST', async () => {
  const product = await deployment('ws-broke', 500);
  await resetSimulator({ concurrencyByModel: { 'gen4.5': 1 }, ...SHORT_GENERATIONS });
  const started = await product.api.campaigns.start(campaign('ws-broke', [{ model: 'gen4.5', count: 5 }]));
  await pollUntil('the first POST', simulatorStats, (stats) => stats.submissions.total >= 1, 30_000, 25);
  // The workspace is drained by someone else: 70 credits left after the first clip, enough for one more.
  await updateSimulator({ creditBalance: 130 });
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const stats = await simulatorStats();
  const posted = stats.submissions.total;
  expect(stats.requests.rejectedByStatus['400']).toBe(1);
  expect(result.archived).toBe(posted);
  expect(result.failed).toBe(5 - posted);
  expect(result.variants.filter((variant) => variant.state === 'failed').map((variant) => variant.error?.type)).toEqual(
    Array.from({ length: 5 - posted }, () => 'InsufficientCredits'),
  );
  expect(result.credits).toBe(stats.credits.net);
}, 120_000);

test('a daily quota that runs out on an 8-variant campaign: the rest wait in quota-wait, then finish after the reset', async () => {
  const product = await deployment('ws-quota', 500);
  await resetSimulator({ concurrencyByModel: { 'gen4.5': 3 }, maxDailyGenerationsByModel: { 'gen4.5': 5 }, ...SHORT_GENERATIONS });
  const started = await product.api.campaigns.start(campaign('ws-quota', [{ model: 'gen4.5', count: 8 }]));
  const handle = product.client.workflow.getHandle(started.campaignId);
  const waiting = await pollUntil(
    'five archived, three waiting for quota',
    () => handle.query(campaignProgressQuery),
    (progress) => progress.counts.archived === 5 && progress.counts['quota-wait'] === 3,
    60_000,
    200,
  );
  expect(waiting.variants.filter((variant) => variant.state === 'quota-wait')).toHaveLength(3);
  // The Web UI's filter: the videos waiting for quota, by their search attribute.
  const listed = await pollUntil(
    'the quota-wait videos listed by GenerationState',
    async () => {
      const ids: string[] = [];
      const query = `WorkloadId = "${started.campaignId}" AND GenerationState = "quota-wait"`;
      for await (const execution of product.client.workflow.list({ query })) ids.push(execution.workflowId);
      return ids;
    },
    (ids) => ids.length === 3,
    30_000,
    500,
  );
  expect(listed).toHaveLength(3);
  // The operator's view: status lists them, and the watch bar counts them while they wait.
  const env = productEnv(product.taskQueue);
  const status = await runCli(['campaign', 'status', started.campaignId], env);
  expect(status.stdout).toContain('quota-wait 3');
  expect(status.stdout.split('\n').filter((line) => /^\s+\S+\s+quota-wait$/.test(line))).toHaveLength(3);
  const watching = runCli(['campaign', 'watch', started.campaignId], env);
  // Still waiting a while later: no POST past the quota, no retry storm.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect((await simulatorStats()).submissions.total).toBe(5);

  await resetDailyUsage();
  const watched = await watching;
  expect(watched.stderr).toContain('quota-wait 3');
  expect(watched.stdout).toContain('8/8 archived');
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const stats = await simulatorStats();
  expect(result.archived).toBe(8);
  expect(stats.submissions.total).toBe(8);
  expect(stats.dailyLimitRefusals.overall).toBeLessThanOrEqual(1);
  expect(stats.throttledCount).toBe(0);
}, 180_000);

test('a create Runway answers 429 for the daily limit enters the same wait, and resumes once the workspace shows room', async () => {
  // The pool reads the workspace rarely here, so another application's usage reaches Runway's count before the pool's.
  const product = await deployment('ws-429', 600_000);
  await resetSimulator({
    concurrencyByModel: { 'veo3.1_fast': 1 },
    maxDailyGenerationsByModel: { 'veo3.1_fast': 4 },
    ...SHORT_GENERATIONS,
  });
  const started = await product.api.campaigns.start(campaign('ws-429', [{ model: 'veo3.1_fast', count: 3 }]));
  await pollUntil('the first POST', simulatorStats, (stats) => stats.submissions.total >= 1, 30_000, 25);
  await updateSimulator({ dailyUsage: { 'veo3.1_fast': 3 } });
  const handle = product.client.workflow.getHandle(started.campaignId);
  await pollUntil(
    'a variant waiting for quota after a 429',
    async () => ({ progress: await handle.query(campaignProgressQuery), stats: await simulatorLiveStats() }),
    ({ progress, stats }) => (progress.counts['quota-wait'] ?? 0) >= 1 && stats.dailyLimitRefusals.overall >= 1,
    60_000,
    200,
  );
  const refusedBeforeReset = (await simulatorLiveStats()).dailyLimitRefusals.overall;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  // Waiting, not retrying into the same answer.
  expect((await simulatorLiveStats()).dailyLimitRefusals.overall).toBe(refusedBeforeReset);

  await resetDailyUsage();
  // What an operator (or a restarting worker) does after a quota change: ask the pool to read the workspace now.
  const pool = product.client.workflow.getHandle(leasePoolWorkflowId(product.taskQueue));
  const finished = product.api.campaigns.waitForResult(started.campaignId);
  let done = false;
  void finished.finally(() => {
    done = true;
  });
  while (!done) {
    await pool.signal(refreshLimitsSignal).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const result = await finished;
  expect(result.archived).toBe(3);
  expect(refusedBeforeReset).toBe(1);
  expect((await simulatorStats()).submissions.total).toBe(3);
}, 180_000);

test('a single video and an explainer check the workspace first too: refused typed before any POST', async () => {
  const product = await deployment('ws-preflight', 500);
  await resetSimulator({ creditBalance: 20, models: ['gen4.5', 'eleven_multilingual_v2'] });
  const video = await startTextVideo(product.api, 'ws-preflight-video', 'A lighthouse at dusk');
  const videoFailure = await failureOf(video.result());
  expect(videoFailure.type).toBe('InsufficientCredits');
  expect(videoFailure.message).toContain('about 60 credits');
  expect(videoFailure.message).toContain('has 20');

  await resetSimulator({ models: ['gen4_turbo', 'gen4.5'] });
  const explainer = await product.api.explainers.startPlanned(explainerInput('ws-preflight-explainer', { chunks: 2 }));
  const explainerFailure = await failureOf(product.api.explainers.waitForResult(explainer.workflowId));
  expect(explainerFailure.type).toBe('ModelUnavailable');
  expect(explainerFailure.message).toContain('eleven_multilingual_v2');
  expect(explainerFailure.message).toContain('it has: gen4.5, gen4_turbo');
  expect((await simulatorStats()).submissions.total).toBe(0);
});
