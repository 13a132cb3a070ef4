import { readJsonObject } from '../helpers/s3-object';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { CampaignWorkflow } from '../../workflows';
import { planCampaign } from '../../client/campaign/campaign-plan';
import { parseCampaignFile } from '../../client/campaign/campaign-file';
import type { CampaignFileInput } from '../../schemas';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { s3Client, testStack } from '../helpers/stack';

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'rerun', cap: 10 });
});
afterAll(async () => {
  await product.stop();
});

function campaign(campaignId: string, prompts: string[], regenerate: string[] = []): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: prompts.map((promptText, index) => {
      const id = `v${index + 1}`;
      return { id, promptText, ...(regenerate.includes(id) ? { regenerate: true } : {}) };
    }),
    options: { ...FAST_OPTIONS },
  };
}

interface ManifestEntry {
  variantId: string;
  status: string;
  promptText?: string;
  s3?: { key: string };
}

async function readManifest(key: string): Promise<Record<string, ManifestEntry>> {
  const manifest = await readJsonObject<{ variants: ManifestEntry[] }>(key);
  return Object.fromEntries(manifest.variants.map((entry) => [entry.variantId, entry]));
}

async function objectExists(key: string): Promise<boolean> {
  const s3 = s3Client();
  try {
    await s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: key }));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

async function run(file: CampaignFileInput) {
  return product.api.campaigns.waitForResult((await product.api.campaigns.start(file)).campaignId);
}

test('a re-run with the same requests reuses every clip: 0 new POSTs, 0 credits billed in this run', async () => {
  await resetSimulator();
  const first = await run(campaign('rerun-same', ['Morning dew', 'Evening dew']));
  expect(first.archived).toBe(2);
  const postsBefore = (await simulatorStats()).submissions.total;
  const second = await run(campaign('rerun-same', ['Morning dew', 'Evening dew']));
  expect(second.archived).toBe(2);
  expect(second.variants.every((variant) => variant.reused === true)).toBe(true);
  expect(second.credits).toBe(0);
  expect(second.variants.map((variant) => variant.result?.s3.key)).toEqual(first.variants.map((variant) => variant.result?.s3.key));
  expect((await simulatorStats()).submissions.total).toBe(postsBefore);
}, 90_000);

test('a re-run with an edited prompt is refused before anything starts, naming the variant and the ways forward', async () => {
  await resetSimulator();
  await run(campaign('rerun-edited', ['A red kite', 'A blue kite']));
  const postsBefore = (await simulatorStats()).submissions.total;
  const runBefore = (await product.client.workflow.getHandle('rerun-edited').describe()).runId;
  await expect(product.api.campaigns.start(campaign('rerun-edited', ['A red kite', 'A green kite']))).rejects.toMatchObject({
    name: 'InputError',
    message: expect.stringMatching(/already archived v2 from a different request.*new id.*"regenerate": true/s),
  });
  expect((await product.client.workflow.getHandle('rerun-edited').describe()).runId).toBe(runBefore);
  expect((await simulatorStats()).submissions.total).toBe(postsBefore);
}, 90_000);

test('the campaign workflow itself refuses to reuse a clip of a different request (a starter that skips the client check)', async () => {
  await resetSimulator();
  await run(campaign('rerun-direct', ['A paper boat']));
  const postsBefore = (await simulatorStats()).submissions.total;
  const input = await planCampaign(parseCampaignFile(campaign('rerun-direct', ['A paper plane'])), {
    s3: product.api.options.s3,
    defaultBucket: testStack().s3.bucket,
    defaultPrefix: '',
    baseDir: process.cwd(),
  });
  const result = await product.client.workflow.execute(CampaignWorkflow, {
    workflowId: `rerun-direct-${Date.now()}`,
    taskQueue: product.taskQueue,
    args: [{ ...input, taskQueue: product.taskQueue }],
  });
  expect(result.variants[0]).toMatchObject({ state: 'failed', credits: 0, error: { type: 'VariantChanged' } });
  expect((await simulatorStats()).submissions.total).toBe(postsBefore);
}, 90_000);

test('regenerate: the edited variant gets a new clip beside the old one; the manifest points at it with the new prompt', async () => {
  await resetSimulator();
  const first = await run(campaign('rerun-regen', ['A quiet street', 'A busy street']));
  const oldKey = first.variants[1]!.result!.s3.key;
  const second = await run(campaign('rerun-regen', ['A quiet street', 'A busy street at night'], ['v2']));
  const stats = await simulatorStats();
  console.log(
    `regenerate: submissions ${stats.submissions.total}, billed net ${stats.credits.net}, reported ${first.credits} + ${second.credits}`,
  );
  expect(stats.submissions.total).toBe(3);
  expect(second.credits).toBe(60);
  expect(second.variants[0]).toMatchObject({ reused: true, credits: 0 });
  const newKey = second.variants[1]!.result!.s3.key;
  expect(newKey).not.toBe(oldKey);
  expect(second.variants[1]!.workflowId).toMatch(/^rerun-regen--v2--[0-9a-f]{12}$/);
  expect(await objectExists(oldKey)).toBe(true);
  expect(await objectExists(newKey)).toBe(true);
  const manifest = await readManifest(second.manifest.key);
  expect(manifest.v2).toMatchObject({ status: 'archived', promptText: 'A busy street at night', s3: { key: newKey } });
  // The same regenerate again is idempotent: the regenerated clip is reused.
  const third = await run(campaign('rerun-regen', ['A quiet street', 'A busy street at night'], ['v2']));
  expect(third.credits).toBe(0);
  expect((await simulatorStats()).submissions.total).toBe(3);
}, 120_000);
