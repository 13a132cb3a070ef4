import type { CampaignFileInput } from '../../schemas';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256, readJsonObject } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'campaign', cap: 10 });
});
afterAll(async () => {
  await product.stop();
});

function textCampaign(campaignId: string, prompts: string[], options: CampaignFileInput['options'] = {}): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: prompts.map((promptText, index) => ({ id: `v${String(index + 1).padStart(2, '0')}`, promptText })),
    options: { ...FAST_OPTIONS, ...options },
  };
}

function readManifest(key: string) {
  return readJsonObject<{ variants: Array<{ variantId: string; status: string; s3?: { key: string }; error?: { type: string } }> }>(key);
}

test('25 variants with cap 10: never more than 10 Runway tasks at once, none THROTTLED, all archived', async () => {
  // Generations of 6 – 9 s real, so all ten leases are busy at the same moment even on a loaded machine,
  // where submitting the tenth can take seconds.
  await resetSimulator({ concurrency: 10, generationSeconds: { kind: 'uniform', min: 3600, max: 5400 } });
  const prompts = Array.from({ length: 25 }, (_, index) => `A product shot, take ${index + 1}`);
  const started = await product.api.campaigns.start(textCampaign('cap-check', prompts));
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const stats = await simulatorStats();
  expect(result.archived).toBe(25);
  expect(stats.submissions.total).toBe(25);
  expect(stats.throttledCount).toBe(0);
  expect(stats.maxConcurrentRunning.overall).toBe(10);
}, 120_000);

test('one failing variant is listed in the manifest with its error; the others are archived', async () => {
  await resetSimulator();
  const started = await product.api.campaigns.start(textCampaign('partial', ['A calm lake', 'A forbidden-content scene', 'A busy market']));
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  expect(result).toMatchObject({ total: 3, archived: 2, failed: 1 });
  const manifest = await readManifest(result.manifest.key);
  expect(result.manifest.key).toBe('partial/manifest.json');
  const byId = Object.fromEntries(manifest.variants.map((variant) => [variant.variantId, variant]));
  expect(byId.v02).toMatchObject({ status: 'failed', error: { type: 'ContentModeration' } });
  for (const id of ['v01', 'v03']) {
    const entry = byId[id];
    expect(entry?.status).toBe('archived');
    const stored = await objectSha256(entry!.s3!.key);
    const task = (await simulatorStats()).tasks.find((candidate) => entry!.s3!.key.endsWith(`/${candidate.id}.mp4`));
    expect(stored.sha256).toBe(task?.outputSha256);
  }
}, 60_000);

test('re-running a finished campaign id reuses every archived variant and submits nothing new', async () => {
  await resetSimulator();
  const campaign = textCampaign('rerun', ['First light', 'Second light']);
  const first = await product.api.campaigns.waitForResult((await product.api.campaigns.start(campaign)).campaignId);
  expect(first.archived).toBe(2);
  const second = await product.api.campaigns.waitForResult((await product.api.campaigns.start(campaign)).campaignId);
  expect(second.archived).toBe(2);
  expect(second.variants.map((variant) => variant.result?.runwayTaskId)).toEqual(
    first.variants.map((variant) => variant.result?.runwayTaskId),
  );
  expect((await simulatorStats()).submissions.total).toBe(2);
}, 60_000);

test('a variant that would exceed the campaign budget fails with BudgetExceeded before it is submitted', async () => {
  await resetSimulator();
  // gen4.5 costs 12 credits per second: 60 per 5 s video; 130 credits buy two.
  const started = await product.api.campaigns.start(textCampaign('budget', ['One', 'Two', 'Three'], { budgetCredits: 130 }));
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  expect(result).toMatchObject({ archived: 2, failed: 1, credits: 120 });
  const refused = result.variants.find((variant) => variant.state === 'failed');
  expect(refused?.error?.type).toBe('BudgetExceeded');
  expect(refused?.error?.message).toContain('130');
  expect((await simulatorStats()).submissions.total).toBe(2);
}, 60_000);
