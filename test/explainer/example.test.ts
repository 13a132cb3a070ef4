import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../../client';
import { headlessBrowser } from '../helpers/headless-browser';
import { readZip, startTestLms } from '../helpers/scorm-lms';
import type { ExplainerFileInput, ExplainerResult } from '../../schemas';
import { startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256 } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { productEnv, runCli } from '../helpers/worker-process';

const example = path.resolve(__dirname, '../../examples/explainer/why-the-sky-is-blue.yaml');
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'explainer-example-'));
const browser = headlessBrowser({ extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'explainer-example' });
});
afterAll(async () => {
  await browser.close();
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('the example: explainer start --file … --wait ends with the narrated MP4 and its subtitles in S3', async () => {
  await resetSimulator();
  const run = await runCli(['explainer', 'start', '--file', example, '--wait', '--json'], productEnv(product.taskQueue));
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as ExplainerResult;
  expect(result.explainerId).toBe('why-the-sky-is-blue');
  expect(result.chunks).toHaveLength(7);
  expect(result.video.key).toBe('explainers/why-the-sky-is-blue/explainer.mp4');
  // The seven clips the plan asks for: 5 + 6 + 4 + 5 + 5 + 6 + 5 s.
  expect(Math.abs(result.video.durationSeconds - 36)).toBeLessThanOrEqual(0.1);
  expect((await objectSha256(result.video.key)).sha256).toBe(result.video.sha256);
  expect((await objectSha256(result.subtitles.key)).bytes).toBeGreaterThan(0);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(14);
  // The style reference image went to Runway once, for all seven image_to_video clips.
  expect(stats.uploads.issued).toBe(1);
  expect(result.credits).toBe(stats.credits.net);

  // The SCORM package, downloaded with the CLI, reports completed in an LMS once the lesson is watched to its end.
  expect(result.package).toMatchObject({ key: 'explainers/why-the-sky-is-blue/explainer.zip', format: 'scorm-1.2' });
  const zip = path.join(workDir, 'why-the-sky-is-blue.zip');
  const download = await runCli(['explainer', 'package', result.explainerId, '--out', zip], productEnv(product.taskQueue));
  expect(download.stderr).toBe('');
  expect(download.stdout).toContain(`sha256 ${result.package.sha256}`);
  const entries = await readZip(zip);
  expect([...entries.keys()].sort()).toEqual(['explainer.mp4', 'explainer.vtt', 'imsmanifest.xml', 'index.html', 'player.js']);
  expect(entries.get('index.html')!.toString()).toContain('<title>Why the sky is blue</title>');
  const lms = await startTestLms(entries);
  try {
    const page = await browser.page();
    await page.goto(lms.launchUrl('index.html'));
    const frame = (await (await page.waitForSelector('#sco')).contentFrame())!;
    // Watched at 16× so the 36 s lesson plays through in a few seconds; every second of it is played.
    await frame.locator('#lesson').evaluate((element) => {
      const video = element as unknown as { playbackRate: number; muted: boolean; play(): Promise<void> };
      video.muted = true;
      video.playbackRate = 16;
      return video.play();
    });
    await page.waitForFunction(
      () => (globalThis as unknown as { API: { cmi: { core: { lesson_status: string } } } }).API.cmi.core.lesson_status === 'completed',
      undefined,
      { timeout: 60_000 },
    );
  } finally {
    await lms.close();
  }
}, 300_000);

test('a package is refused, with the reason, for an explainer that is not assembled; 0 credits spent asking', async () => {
  const env = productEnv(product.taskQueue);
  const missing = await runCli(['explainer', 'package', 'no-such-explainer', '--out', path.join(workDir, 'x.zip')], env);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/explainerId: no explainer no-such-explainer/);
  const started = await product.api.explainers.start({
    explainerId: `unassembled-${Date.now()}`,
    script: 'Light scatters in the air. Blue scatters most of all.',
    brief: { model: 'gen4.5', ratio: '1280:720', style: 'clean flat illustration', voice: 'Maya' },
    options: { pollInterval: '60s' },
  });
  try {
    const early = await runCli(['explainer', 'package', started.explainerId, '--out', path.join(workDir, 'early.zip')], env);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(new RegExp(`explainer ${started.explainerId} is not assembled yet \\(generating\\)`));
    expect(fs.existsSync(path.join(workDir, 'early.zip'))).toBe(false);
  } finally {
    await product.api.explainers.cancel(started.explainerId);
  }
  await expect(product.api.explainers.waitForResult(started.explainerId)).rejects.toThrow();
  const cancelled = await runCli(['explainer', 'package', started.explainerId, '--out', path.join(workDir, 'late.zip')], env);
  expect(cancelled.stderr).toMatch(/was not assembled \(cancelled\): it has no package/);
}, 120_000);

test('bad explainer input is refused before anything starts: 0 POSTs, no workflow', async () => {
  await resetSimulator();
  const brief = { model: 'gen4.5', ratio: '1280:720', style: 'clean flat illustration', voice: 'Maya' };
  const explainer = (patch: Partial<ExplainerFileInput>): ExplainerFileInput => ({
    explainerId: `bad-${Date.now()}`,
    script: 'Light scatters.',
    brief,
    ...patch,
  });
  const tooLong = `A sentence ${'that keeps going without any pause or comma '.repeat(8)}ends here.`;
  const cases: Array<[ExplainerFileInput, RegExp]> = [
    [explainer({ script: '' }), /script/],
    [explainer({ script: tooLong }), /too long|longest clip/],
    [explainer({ brief: { ...brief, voice: 'Morgan Freeman' } }), /brief\.voice.*Morgan Freeman/s],
    // A style image that is not an image.
    [explainer({ brief: { ...brief, styleImage: __filename } }), /brief\.styleImage: .*example\.test\.ts is not a PNG, JPEG or WebP image/],
  ];
  for (const [input, message] of cases) {
    const attempt = product.api.explainers.start(input);
    await expect(attempt).rejects.toThrow(InputError);
    await expect(product.api.explainers.start(input)).rejects.toThrow(message);
  }
  expect((await simulatorStats()).submissions.total).toBe(0);
  const started: string[] = [];
  for await (const execution of product.client.workflow.list({
    query: `WorkflowType="ExplainerWorkflow" AND WorkflowId STARTS_WITH "bad-"`,
  }))
    started.push(execution.workflowId);
  expect(started).toEqual([]);
}, 60_000);
