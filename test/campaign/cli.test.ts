import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { productEnv, runCli } from '../helpers/worker-process';

let product: RunningProduct;
let workDir: string;

beforeAll(async () => {
  product = await startProduct({ name: 'cli' });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cli-'));
});
afterAll(async () => {
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await resetSimulator();
});

function writeCampaign(campaignId: string, prompts: string[]): string {
  const file = path.join(workDir, `${campaignId}.json`);
  const campaign = {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: prompts.map((promptText, index) => ({ id: `v${index + 1}`, promptText })),
    options: FAST_OPTIONS,
  };
  fs.writeFileSync(file, JSON.stringify(campaign));
  return file;
}

interface CliCampaignJson {
  campaignId: string;
  archived: number;
  failed: number;
  variants: Array<{
    variantId: string;
    status: string;
    s3?: { key: string };
    sha256?: string;
    runwayTaskId?: string;
    submissions?: number;
    credits?: number;
    error?: { type: string; message: string };
  }>;
}

test('campaign start --wait --json: one JSON document on stdout, exit 0 when every variant is archived', async () => {
  const run = await runCli(
    ['campaign', 'start', '--file', writeCampaign('cli-ok', ['Morning dew', 'Evening tide']), '--wait', '--json'],
    productEnv(product.taskQueue),
  );
  expect(run.code).toBe(0);
  const document = JSON.parse(run.stdout) as CliCampaignJson;
  expect(document).toMatchObject({ campaignId: 'cli-ok', archived: 2, failed: 0 });
  const tasks = (await simulatorStats()).tasks;
  for (const variant of document.variants) {
    expect(variant.s3?.key).toBe(`cli-ok/${variant.variantId}/${variant.runwayTaskId}.mp4`);
    expect(variant.sha256).toBe(tasks.find((task) => task.id === variant.runwayTaskId)?.outputSha256);
    expect(variant).toMatchObject({ submissions: 1, credits: 60 });
  }
}, 60_000);

test('campaign start --wait --json exits 1 and names the error of a failed variant', async () => {
  const run = await runCli(
    ['campaign', 'start', '--file', writeCampaign('cli-partial', ['Quiet forest', 'A forbidden-content scene']), '--wait', '--json'],
    productEnv(product.taskQueue),
  );
  expect(run.code).toBe(1);
  const document = JSON.parse(run.stdout) as CliCampaignJson;
  expect(document).toMatchObject({ archived: 1, failed: 1 });
  const failed = document.variants.find((variant) => variant.status === 'failed');
  expect(failed?.error?.type).toBe('ContentModeration');
  expect(failed?.error?.message).toContain('SAFETY');
}, 60_000);

test('an invalid campaign file exits non-zero with one clear line on stderr and nothing on stdout', async () => {
  const file = path.join(workDir, 'bad.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ campaignId: 'bad', defaults: { model: 'gen9', ratio: '1280:720' }, variants: [{ id: 'a', promptText: 'x' }] }),
  );
  const run = await runCli(['campaign', 'start', '--file', file, '--json'], productEnv(product.taskQueue));
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain('model');
  expect((await simulatorStats()).submissions.total).toBe(0);
}, 60_000);
