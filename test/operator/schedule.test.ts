import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CampaignWorkflow } from '../../workflows';
import { WorkloadIdKey } from '../../workflows/search-attributes';
import { ID_PATTERN, type CampaignFileInput } from '../../schemas';
import type { ScheduledRun } from '../../client';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { pollUntil, sleep } from '../helpers/poll';
import { listKeys } from '../helpers/s3-object';

const examplesDir = path.resolve(__dirname, '..', '..', 'examples');
const suffix = randomUUID().slice(0, 6);
let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'schedule' });
});
afterAll(async () => {
  await product.stop();
});
beforeEach(async () => {
  await resetSimulator();
});

/** Two variants of the shipped hero image, as a relative path resolved against examples/. */
function heroCampaign(campaignId: string): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4_turbo', promptImage: 'assets/hero-product.jpg', ratio: '16:9', duration: 5 },
    variants: [
      { id: 'warm', promptText: 'Slow dolly-in on the product, warm studio light' },
      { id: 'cool', promptText: 'The product on a rock by a mountain lake, crisp morning air' },
    ],
    options: FAST_OPTIONS,
  };
}

function textCampaign(campaignId: string): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: [{ id: 'only', promptText: 'A lighthouse at dusk' }],
    options: FAST_OPTIONS,
  };
}

/** The n-th run (1-based) a schedule has taken. */
async function nthRun(scheduleId: string, n: number): Promise<ScheduledRun> {
  const details = await pollUntil(
    `run ${n} of ${scheduleId}`,
    () => product.api.schedules.describeSchedule(scheduleId),
    (d) => d.recentRuns.length >= n,
  );
  return details.recentRuns[n - 1]!;
}

test('create stages the image once; each trigger starts a run whose campaign id comes from its workflow id, and it archives there', async () => {
  const api = product.api;
  const scheduleId = `hero-${suffix}`;
  const sourceCampaignId = `hero-src-${suffix}`;
  const created = await api.schedules.createSchedule({
    scheduleId,
    campaign: heroCampaign(sourceCampaignId),
    baseDir: examplesDir,
    cron: '0 0 1 1 *',
  });
  expect(created).toEqual({ scheduleId, campaignId: sourceCampaignId, workflowIdPrefix: `${scheduleId}-` });

  // The image is in S3 before any run, and the schedule's runs carry only its reference.
  expect(await listKeys(`${sourceCampaignId}/inputs/`)).toHaveLength(1);
  const action = (await product.client.schedule.getHandle(scheduleId).describe()).action;
  if (action.type !== 'startWorkflow') throw new Error(`unexpected schedule action ${action.type}`);
  const [runInput] = action.args as Parameters<typeof CampaignWorkflow>;
  expect(runInput.campaignIdFromWorkflowId).toBe(true);
  expect(runInput.variants[0]?.request.promptImage).toMatchObject({
    kind: 's3',
    key: expect.stringMatching(new RegExp(`^${sourceCampaignId}/inputs/[0-9a-f]{64}\\.jpg$`)),
  });

  const details = await api.schedules.describeSchedule(scheduleId);
  expect(details).toMatchObject({
    scheduleId,
    campaignId: sourceCampaignId,
    variants: 2,
    cron: '0 0 1 1 *',
    overlap: 'skip',
    paused: false,
    actionsTaken: 0,
    recentRuns: [],
    taskQueue: product.taskQueue,
  });
  expect(new Date(details.nextRunTimes[0]!).toISOString()).toMatch(/-01-01T00:00:00/);

  await api.schedules.trigger(scheduleId);
  const first = await nthRun(scheduleId, 1);
  expect(first.workflowId.startsWith(`${scheduleId}-`)).toBe(true);
  expect(first.campaignId).toBe(first.workflowId.replace(/:/g, '-'));
  expect(first.campaignId).toMatch(ID_PATTERN);
  const firstResult = await api.campaigns.waitForResult(first.workflowId);
  expect(firstResult).toMatchObject({
    campaignId: first.campaignId,
    total: 2,
    archived: 2,
    failed: 0,
    manifest: { key: `${first.campaignId}/manifest.json` },
  });
  const firstKeys = await listKeys(`${first.campaignId}/`);
  for (const variant of firstResult.variants) {
    expect(variant.workflowId).toBe(`${first.campaignId}--${variant.variantId}`);
    expect(firstKeys).toContain(`${first.campaignId}/${variant.variantId}/${variant.result?.runwayTaskId}.mp4`);
  }
  expect(firstKeys).toContain(`${first.campaignId}/manifest.json`);
  // The schedule could not know the run's campaign id: the workflow upserted it.
  const described = await product.client.workflow.getHandle(first.workflowId).describe();
  expect(described.typedSearchAttributes.get(WorkloadIdKey)).toBe(first.campaignId);

  // A later run (the overlap policy skips a trigger while one runs) gets a campaign id of its own.
  await sleep(1100);
  await api.schedules.trigger(scheduleId);
  const second = await nthRun(scheduleId, 2);
  expect(second.campaignId).not.toBe(first.campaignId);
  const secondResult = await api.campaigns.waitForResult(second.workflowId);
  expect(secondResult).toMatchObject({ campaignId: second.campaignId, archived: 2 });
  // Two clips, the manifest index and its one part of outcomes.
  expect(await listKeys(`${second.campaignId}/`)).toHaveLength(4);
  expect(await listKeys(`${sourceCampaignId}/inputs/`)).toHaveLength(1);
  expect((await simulatorStats()).submissions.total).toBe(4);

  // A retried run (same workflow id, same input) derives the same campaign id and redoes no work.
  const retried = await product.client.workflow.execute(CampaignWorkflow, {
    workflowId: first.workflowId,
    taskQueue: product.taskQueue,
    args: [runInput],
  });
  expect(retried).toMatchObject({ campaignId: first.campaignId, archived: 2 });
  expect(retried.variants.map((variant) => variant.result?.runwayTaskId).sort()).toEqual(
    firstResult.variants.map((variant) => variant.result?.runwayTaskId).sort(),
  );
  expect((await simulatorStats()).submissions.total).toBe(4);

  await api.schedules.deleteSchedule(scheduleId);
  await expect(api.schedules.describeSchedule(scheduleId)).rejects.toThrow(`no schedule ${scheduleId}`);
}, 120_000);

test('a paused every-1s schedule takes no run; unpaused it runs; paused again it stops', async () => {
  const api = product.api;
  const scheduleId = `tick-${suffix}`;
  await api.schedules.createSchedule({ scheduleId, campaign: textCampaign(`tick-src-${suffix}`), every: '1s', paused: true });
  expect(await api.schedules.describeSchedule(scheduleId)).toMatchObject({ paused: true, every: '1s' });

  await sleep(3500);
  const idle = await product.client.schedule.getHandle(scheduleId).describe();
  expect(idle.state.paused).toBe(true);
  expect(idle.info.recentActions).toHaveLength(0);
  expect(idle.info.numActionsTaken).toBe(0);

  // The control: the same schedule unpaused does take runs.
  await api.schedules.unpause(scheduleId);
  const running = await pollUntil(
    'a run after unpause',
    () => api.schedules.describeSchedule(scheduleId),
    (d) => d.actionsTaken >= 1,
    15_000,
  );
  expect(running.paused).toBe(false);

  await api.schedules.pause(scheduleId);
  await sleep(500);
  const paused = await api.schedules.describeSchedule(scheduleId);
  expect(paused).toMatchObject({ paused: true, note: 'paused from runway-temporal' });
  await sleep(3000);
  expect((await api.schedules.describeSchedule(scheduleId)).actionsTaken).toBe(paused.actionsTaken);

  await api.schedules.deleteSchedule(scheduleId);
  // The runs it took finish on their own, each under its own campaign id.
  const campaignIds = new Set<string>();
  for (const run of paused.recentRuns) {
    const result = await api.campaigns.waitForResult(run.workflowId);
    expect(result).toMatchObject({ campaignId: run.campaignId, archived: 1 });
    campaignIds.add(result.campaignId);
  }
  expect(campaignIds.size).toBe(paused.recentRuns.length);
}, 90_000);

test('listSchedules shows a new schedule', async () => {
  const scheduleId = `listed-${suffix}`;
  await product.api.schedules.createSchedule({ scheduleId, campaign: textCampaign(`listed-src-${suffix}`), every: '1d', paused: true });
  const listed = await pollUntil(
    'the schedule in the list',
    () => product.api.schedules.listSchedules(),
    (all) => all.some((entry) => entry.scheduleId === scheduleId),
  );
  expect(listed.find((entry) => entry.scheduleId === scheduleId)).toMatchObject({
    campaignId: `listed-src-${suffix}`,
    every: '1d',
    paused: true,
    recentRuns: [],
  });
  await product.api.schedules.deleteSchedule(scheduleId);
});

test('bad schedule input is refused before anything is created', async () => {
  const schedules = product.api.schedules;
  const campaign = textCampaign(`bad-${suffix}`);
  await expect(schedules.createSchedule({ scheduleId: `bad-${suffix}`, campaign, cron: '0 9 * * 1', every: '1h' })).rejects.toThrow(
    'exactly one of cron and every',
  );
  await expect(schedules.createSchedule({ scheduleId: `bad-${suffix}`, campaign })).rejects.toThrow('exactly one of cron and every');
  await expect(schedules.createSchedule({ scheduleId: `bad-${suffix}`, campaign, every: '5 minutes' })).rejects.toThrow(
    'every must be a duration',
  );
  await expect(schedules.createSchedule({ scheduleId: `bad-${suffix}`, campaign, cron: '0 9 *' })).rejects.toThrow(
    'cron must have 5 fields',
  );
  await expect(schedules.createSchedule({ scheduleId: 'x'.repeat(44), campaign, every: '1h' })).rejects.toThrow('at most 43 characters');
  await expect(schedules.pause(`missing-${suffix}`)).rejects.toThrow(`no schedule missing-${suffix}`);

  const scheduleId = `dup-${suffix}`;
  await schedules.createSchedule({ scheduleId, campaign, every: '1d', paused: true });
  await expect(schedules.createSchedule({ scheduleId, campaign, every: '1d' })).rejects.toThrow(`schedule ${scheduleId} already exists`);
  await schedules.deleteSchedule(scheduleId);
});
