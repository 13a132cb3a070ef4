import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CampaignFileInput } from '../../schemas';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { productEnv, runCli, runNode, type ProcessRun } from '../helpers/worker-process';
import { pollUntil } from '../helpers/poll';

const projectRoot = path.resolve(__dirname, '..', '..');
const heroImage = path.join(projectRoot, 'examples', 'assets', 'hero-product.jpg');
const suffix = randomUUID().slice(0, 6);
let product: RunningProduct;
let workDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  product = await startProduct({ name: 'ops-cli' });
  env = productEnv(product.taskQueue);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-ops-cli-'));
});
afterAll(async () => {
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await resetSimulator();
});

function textCampaign(campaignId: string, prompts: string[]): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: prompts.map((promptText, index) => ({ id: `v${index + 1}`, promptText })),
    options: FAST_OPTIONS,
  };
}

function writeCampaignFile(campaign: CampaignFileInput): string {
  const file = path.join(workDir, `${campaign.campaignId}.json`);
  fs.writeFileSync(file, JSON.stringify(campaign));
  return file;
}

/** A failure as scripts see it: non-zero, nothing on stdout, exactly one line on stderr. */
function expectOneLineFailure(run: ProcessRun, mentions: string): void {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(mentions);
}

/** `npx runway-temporal …` as package.json's bin runs it: bin/runway-temporal.js. */
function runBin(args: string[]): Promise<ProcessRun> {
  return runNode([path.join(projectRoot, 'bin', 'runway-temporal.js'), ...args], { cwd: workDir, env });
}

test('schedule list --json is one JSON document, through the package bin too', async () => {
  for (const run of [await runCli(['schedule', 'list', '--json'], env), await runBin(['schedule', 'list', '--json'])]) {
    expect(run.code).toBe(0);
    expect(Array.isArray((JSON.parse(run.stdout) as { schedules: unknown[] }).schedules)).toBe(true);
  }
}, 60_000);

test('schedule create, describe, pause, unpause, trigger, delete from the CLI', async () => {
  const scheduleId = `cli-${suffix}`;
  const file = writeCampaignFile(textCampaign(`cli-src-${suffix}`, ['Waves on a pier']));
  const created = await runCli(
    ['schedule', 'create', '--file', file, '--every', '1h', '--overlap', 'buffer_one', '--id', scheduleId, '--json'],
    env,
  );
  expect(created.code).toBe(0);
  expect(JSON.parse(created.stdout)).toEqual({ scheduleId, campaignId: `cli-src-${suffix}`, workflowIdPrefix: `${scheduleId}-` });

  const describe = async () => {
    const run = await runCli(['schedule', 'describe', scheduleId, '--json'], env);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as {
      paused: boolean;
      every?: string;
      overlap: string;
      recentRuns: Array<{ workflowId: string; campaignId: string }>;
    };
  };
  expect(await describe()).toMatchObject({ paused: false, every: '1h', overlap: 'buffer_one', recentRuns: [] });

  expect(JSON.parse((await runCli(['schedule', 'pause', scheduleId, '--json'], env)).stdout)).toEqual({ scheduleId, paused: true });
  expect((await describe()).paused).toBe(true);
  expect((await runCli(['schedule', 'unpause', scheduleId], env)).stdout).toBe(`unpaused schedule ${scheduleId}\n`);
  expect((await describe()).paused).toBe(false);

  expect((await runCli(['schedule', 'trigger', scheduleId, '--json'], env)).code).toBe(0);
  const [run] = (await pollUntil('the triggered run', describe, (details) => details.recentRuns.length > 0)).recentRuns;
  expect(run?.workflowId.startsWith(`${scheduleId}-`)).toBe(true);
  expect(await product.api.campaigns.waitForResult(run!.workflowId)).toMatchObject({ campaignId: run?.campaignId, archived: 1 });

  const text = await runCli(['schedule', 'describe', scheduleId], env);
  expect(text.stdout).toContain(`run      ${run?.workflowId}  campaign ${run?.campaignId}`);

  expect(JSON.parse((await runCli(['schedule', 'delete', scheduleId, '--json'], env)).stdout)).toEqual({ scheduleId, deleted: true });
  expectOneLineFailure(await runCli(['schedule', 'describe', scheduleId, '--json'], env), `no schedule ${scheduleId}`);
}, 90_000);

test('bad flags exit non-zero with one line on stderr and nothing on stdout', async () => {
  const file = writeCampaignFile(textCampaign(`cli-bad-${suffix}`, ['A quiet street']));
  expectOneLineFailure(await runCli(['schedule', 'list', '--bogus', '--json'], env), "unknown option '--bogus'");
  expectOneLineFailure(
    await runCli(['schedule', 'create', '--file', file, '--every', '1h', '--overlap', 'sometimes', '--json'], env),
    'skip, buffer_one, allow_all',
  );
  expectOneLineFailure(
    await runCli(['schedule', 'create', '--file', file, '--every', '1h', '--cron', '0 9 * * 1', '--json'], env),
    'cannot be used with',
  );
  expectOneLineFailure(await runCli(['schedule', 'create', '--file', file, '--json'], env), '--cron');
  expectOneLineFailure(
    await runCli(['schedule', 'create', '--file', file, '--every', 'weekly', '--json'], env),
    'every must be a duration',
  );
  expectOneLineFailure(await runCli(['video', 'start', '--model', 'gen9', '--prompt', 'x', '--ratio', '1280:720', '--json'], env), 'model');
  expectOneLineFailure(
    await runCli(['video', 'start', '--model', 'gen4.5', '--prompt', 'x', '--ratio', '1280:720', '--duration', 'five', '--json'], env),
    'whole number',
  );
  expect((await simulatorStats()).submissions.total).toBe(0);
}, 90_000);

test('video start --wait --json: one document with the archived object; a refused prompt fails with one line', async () => {
  const videoId = `cli-video-${suffix}`;
  const run = await runCli(
    [
      'video',
      'start',
      '--model',
      'gen4.5',
      '--prompt',
      'A red kite over dunes',
      '--ratio',
      '1280:720',
      '--duration',
      '5',
      '--id',
      videoId,
      '--poll-interval',
      '100ms',
      '--wait',
      '--json',
    ],
    env,
  );
  expect(run.code).toBe(0);
  const document = JSON.parse(run.stdout) as {
    videoId: string;
    s3: { key: string };
    sha256: string;
    runwayTaskId: string;
    submissions: number;
  };
  expect(document).toMatchObject({ videoId, submissions: 1 });
  expect(document.s3.key).toBe(`single/${videoId}/${document.runwayTaskId}.mp4`);
  expect(document.sha256).toBe((await simulatorStats()).tasks.find((task) => task.id === document.runwayTaskId)?.outputSha256);

  const refused = await runCli(
    [
      'video',
      'start',
      '--model',
      'gen4.5',
      '--prompt',
      'A forbidden-content scene',
      '--ratio',
      '1280:720',
      '--poll-interval',
      '100ms',
      '--wait',
      '--json',
    ],
    env,
  );
  expect(refused.code).toBe(1);
  expectOneLineFailure(refused, 'ContentModeration');
}, 90_000);

test('video start --image stages a local image and returns the workflow at once', async () => {
  const run = await runCli(
    [
      'video',
      'start',
      '--model',
      'gen4_turbo',
      '--image',
      heroImage,
      '--prompt',
      'The product turns slowly',
      '--ratio',
      '16:9',
      '--duration',
      '5',
      '--poll-interval',
      '100ms',
      '--json',
    ],
    env,
  );
  expect(run.code).toBe(0);
  const started = JSON.parse(run.stdout) as { workflowId: string; runId: string };
  expect(started.workflowId).toMatch(/^single--video-/);
  expect(await product.api.generations.waitForResult(started.workflowId)).toMatchObject({ model: 'gen4_turbo', submissions: 1 });
}, 60_000);

test('campaign watch shows a bar with ETA and the summary; status --json reads the progress', async () => {
  const started = await product.api.campaigns.start(textCampaign(`cli-watch-${suffix}`, ['Fog over a valley', 'Rain on a window']));
  const watched = await runCli(['campaign', 'watch', started.campaignId], env);
  expect(watched.code).toBe(0);
  expect(watched.stderr).toContain('ETA');
  expect(watched.stdout).toContain('2/2 archived, 0 failed');
  const status = await runCli(['campaign', 'status', started.campaignId, '--json'], env);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ campaignId: started.campaignId, total: 2, counts: { archived: 2 } });
}, 60_000);

test('campaign cancel stops a running campaign and its remote tasks are deleted', async () => {
  await resetSimulator({ generationSeconds: { kind: 'fixed', seconds: 60_000 } }); // ~100 s running at the test time scale
  const started = await product.api.campaigns.start(textCampaign(`cli-cancel-${suffix}`, ['A slow sunrise']));
  await pollUntil(
    'a running Runway task',
    () => product.api.campaigns.progress(started.campaignId),
    (progress) => progress.counts.running === 1,
  );
  const cancelled = await runCli(['campaign', 'cancel', started.campaignId], env);
  expect(cancelled.code).toBe(0);
  expect(cancelled.stdout).toContain(`cancellation requested for ${started.campaignId}`);
  await expect(product.api.campaigns.waitForResult(started.campaignId)).rejects.toThrow();
  expect((await product.client.workflow.getHandle(started.workflowId).describe()).status.name).toBe('CANCELLED');
  await pollUntil('the remote task deleted', simulatorStats, (stats) => stats.deletes >= 1);
}, 60_000);
