import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../../client';
import type { RunningReviewServer } from '../../client/review/review-server';
import { headlessBrowser } from '../helpers/headless-browser';
import { readZip, startTestLms } from '../helpers/scorm-lms';
import type { ExplainerFileInput, ExplainerProgress, ExplainerResult } from '../../schemas';
import { startProduct, type RunningProduct } from '../helpers/product';
import { listKeys, objectSha256 } from '../helpers/s3-object';
import { rejectOnPage, selectOnPage, startReviewPage } from '../helpers/review-page';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { cliJson, cliOk, cliStatusUntil, productEnv, runCli } from '../helpers/worker-process';

const example = path.resolve(__dirname, '../../examples/explainer/why-the-sky-is-blue.yaml');
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'explainer-example-'));
const browser = headlessBrowser({ extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
let product: RunningProduct;
/** The review page served over the product's clients, as `explainer review-server` serves it. */
let server: RunningReviewServer;

beforeAll(async () => {
  product = await startProduct({ name: 'explainer-example' });
  server = await startReviewPage(product);
});
afterAll(async () => {
  await browser.close();
  await server?.close();
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('the example with review: started with the CLI, reviewed on the page and with the CLI (a clip rejected with a new prompt, a voiceover redone), finalized into the narrated MP4, its subtitles and a SCORM package', async () => {
  await resetSimulator();
  const env = productEnv(product.taskQueue);
  const cli = (args: string[]) => cliOk(args, env);
  const { explainerId } = await cliJson<{ explainerId: string }>(['explainer', 'start', '--file', example, '--json'], env);
  expect(explainerId).toBe('why-the-sky-is-blue');

  // Every chunk's clip and voiceover in, and nothing assembled: the explainer waits for the teacher.
  const everyChunkIn = (progress: ExplainerProgress) => progress.state === 'awaiting-review' && progress.pendingDecisions.length === 7;
  const awaiting = await cliStatusUntil('explainer', explainerId, env, 'every chunk awaiting review', everyChunkIn);
  expect(awaiting.items.map((item) => item.clipSeconds)).toEqual([5, 6, 4, 5, 5, 6, 5]);
  expect(await listKeys(`explainers/${explainerId}/explainer`)).toEqual([]);

  // The page: c01, c03 and c04 approved; c02's clip (its prompt a weak reading of the narration) rejected with a new prompt.
  const page = await browser.page();
  await page.goto(`${server.url}explainers/${explainerId}`, { waitUntil: 'domcontentloaded' });
  expect(await page.locator('.take video').count()).toBe(7);
  expect(await page.locator('.voiceover audio').count()).toBe(7);
  for (const chunk of ['c01', 'c03', 'c04']) {
    await selectOnPage(page, chunk, 1);
  }
  const newPrompt =
    'White sunlight splitting into a rainbow of colour waves, clean flat vector illustration, soft pastel colours, simple shapes, gentle motion';
  await rejectOnPage(page, 'c02', newPrompt);

  // The CLI: c05's voiceover redone with new text; then, once everything is in, the rest approved and the review finalized.
  const newText = 'So blue light reaches us from all over the sky.';
  await cli(['explainer', 'revoice', explainerId, 'c05', '--text', newText]);
  const reviewed = await cliStatusUntil<ExplainerProgress>(
    'explainer',
    explainerId,
    env,
    'the new clip and the new voiceover in',
    (progress) => progress.counts.generating === 0,
  );
  expect(reviewed.items[1]!.takes).toMatchObject([{ take: 2, state: 'ready', promptText: newPrompt }]);
  expect(reviewed.items[4]!.voiceover).toMatchObject({ take: 2, state: 'ready', text: newText });
  await cli(['explainer', 'approve', explainerId, '--all']);
  const result = await cliJson<ExplainerResult>(['explainer', 'finalize', explainerId, '--json'], env);
  expect(result).toMatchObject({ explainerId, unapproved: [] });
  expect(result.chunks).toHaveLength(7);
  expect(result.chunks[1]!.clipKey).toMatch(/^explainers\/why-the-sky-is-blue\/c02--clip--t2\//);
  expect(result.chunks[4]).toMatchObject({ text: newText });
  expect(result.video.key).toBe('explainers/why-the-sky-is-blue/explainer.mp4');
  // The seven clips the plan asks for: 5 + 6 + 4 + 5 + 5 + 6 + 5 s.
  expect(Math.abs(result.video.durationSeconds - 36)).toBeLessThanOrEqual(0.1);
  expect((await objectSha256(result.video.key)).sha256).toBe(result.video.sha256);
  expect((await objectSha256(result.subtitles.key)).bytes).toBeGreaterThan(0);
  const stats = await simulatorStats();
  // 7 clips and 7 voiceovers, c02's second clip and c05's second voiceover.
  expect(stats.submissions.total).toBe(16);
  // The style reference image went to Runway once, for all eight image_to_video clips.
  expect(stats.uploads.issued).toBe(1);
  expect(result.credits).toBe(stats.credits.net);

  // The SCORM package, downloaded with the CLI, reports completed in an LMS once the lesson is watched to its end.
  expect(result.package).toMatchObject({ key: 'explainers/why-the-sky-is-blue/explainer.zip', format: 'scorm-1.2' });
  const zip = path.join(workDir, 'why-the-sky-is-blue.zip');
  const download = await runCli(['explainer', 'package', result.explainerId, '--out', zip], env);
  expect(download.stderr).toBe('');
  expect(download.stdout).toContain(`sha256 ${result.package.sha256}`);
  const entries = await readZip(zip);
  expect([...entries.keys()].sort()).toEqual(['explainer.mp4', 'explainer.vtt', 'imsmanifest.xml', 'index.html', 'player.js']);
  expect(entries.get('index.html')!.toString()).toContain('<title>Why the sky is blue</title>');
  // The transcript and the captions say the narration as the teacher redid it.
  expect(entries.get('index.html')!.toString()).toContain(newText);
  expect(entries.get('explainer.vtt')!.toString()).toContain(newText);
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
