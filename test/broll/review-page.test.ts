import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { BrollWorkflowInput } from '../../schemas';
import { brollInput, parseEdl } from '../helpers/broll-input';
import { listKeys, readText } from '../helpers/s3-object';
import { resetSimulator } from '../helpers/simulator-admin';
import { openFromList, rejectOnPage, reviewPageFixture, selectOnPage } from '../helpers/review-page';
import { productEnv, runCli } from '../helpers/worker-process';

const projectRoot = path.resolve(__dirname, '..', '..');
const artifactsDir = path.resolve(__dirname, '..', 'artifacts');
// A clip must play without a click for the test to see it play.
const suffix = randomUUID().slice(0, 6);
const fixture = reviewPageFixture('broll-review', { extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
const { browser, log: serverLog } = fixture;

/** The page's globals as the functions run in the browser see them (the project's TS lib has no DOM). */
interface BrowserVideo {
  duration: number;
  currentTime: number;
  readyState: number;
  muted: boolean;
  play(): Promise<void>;
}
interface BrowserWindow {
  document: { querySelector(selector: string): BrowserVideo | null };
}

const SEGMENTS = [
  {
    segmentId: 's01',
    text: 'In 1952 the harbour froze for the first time in living memory.',
    prompt: 'A frozen harbour at dawn, 1950s film',
  },
  {
    segmentId: 's02',
    text: 'Fishermen said <b>"never"</b> & <img src=x onerror=alert(1)> meant nothing.',
    prompt: 'Fishermen mending nets, 16 mm',
  },
  { segmentId: 's03', text: 'By spring the boats were back.', prompt: 'Boats leaving a harbour in spring, 1950s film' },
];

/** A hand-built plan (three 5 s gen4.5 text-to-video segments, two takes each, fast polling) with the transcript text above. */
function reviewInput(projectId: string): BrollWorkflowInput {
  const input = brollInput(
    projectId,
    SEGMENTS.map((segment) => segment.prompt),
    { takesPerSegment: 2 },
  );
  input.segments.forEach((segment, index) => (segment.text = SEGMENTS[index]!.text));
  return input;
}

interface BrowserImage {
  naturalWidth: number;
  complete: boolean;
}

test('headless Chromium: the contact sheet first, two takes side by side each playing; the editor selects takes, rejects one segment with a new prompt (a new round of takes), selects again and finalizes; the EDL is in S3', async () => {
  await resetSimulator();
  const projectId = `review-${suffix}`;
  const { workflowId } = await fixture.product.api.broll.startPlanned(reviewInput(projectId));

  const page = await browser.page();
  await openFromList(page, fixture.server, `/projects/${workflowId}`);

  // The contact sheet, at the top, once every take is in (the page reloads itself until then): it loads.
  await page.waitForSelector('#contact-sheet', { timeout: 60_000 });
  await page.waitForFunction(
    () => {
      const image = (
        globalThis as unknown as { document: { querySelector(selector: string): BrowserImage | null } }
      ).document.querySelector('#contact-sheet');
      return Boolean(image?.complete && image.naturalWidth > 0);
    },
    undefined,
    { timeout: 30_000 },
  );
  // Two 320 px cells a row and the tile's margins: one row per segment, one column per take.
  expect(
    await page.evaluate(
      () =>
        (globalThis as unknown as { document: { querySelector(s: string): BrowserImage } }).document.querySelector('#contact-sheet')
          .naturalWidth,
    ),
  ).toBe(2 * 320 + 8 + 2 * 8);

  // Every user-supplied string is text, never markup.
  const s02 = page.locator('#item-s02');
  await expect(s02.locator('.text').innerText()).resolves.toBe(SEGMENTS[1]!.text);
  expect(await s02.locator('img, b').count()).toBe(0);
  await expect(page.locator('#item-s01 .prompt').first().innerText()).resolves.toBe(SEGMENTS[0]!.prompt);

  // Takes side by side: two per segment, each a clip that plays from its presigned URL.
  expect(await page.locator('video').count()).toBe(6);
  expect(await page.locator('#item-s01 .take').evaluateAll((takes) => takes.map((take) => take.getAttribute('data-take')))).toEqual([
    '1',
    '2',
  ]);
  for (const take of [1, 2]) {
    const selector = `#item-s01 video[data-take="${take}"]`;
    await page.waitForFunction(
      (css) => ((globalThis as unknown as BrowserWindow).document.querySelector(css)?.duration ?? 0) > 0,
      selector,
      { timeout: 30_000 },
    );
    const played = await page.evaluate(async (css) => {
      const video = (globalThis as unknown as BrowserWindow).document.querySelector(css)!;
      video.muted = true;
      await video.play();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return { duration: video.duration, currentTime: video.currentTime };
    }, selector);
    expect(played.duration).toBeGreaterThan(0);
    expect(played.currentTime).toBeGreaterThan(0);
  }
  const src = (await page.locator('#item-s01 video[data-take="1"]').getAttribute('src'))!;
  expect(src).toContain('X-Amz-Expires=300');

  // Finalizing now is refused by the workflow's validator; the page shows its message.
  await page.click('#finalize');
  await page.waitForFunction(
    () =>
      !/^(finalizing…)?$/.test(
        (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById(
          'finalize-message',
        ).textContent,
      ),
  );
  const refusal = await page.locator('#finalize-message').innerText();
  expect(refusal).toMatch(new RegExp(`cannot finalize project ${projectId}: .*s01.*not approved yet`));

  // Select take 2 of s02 and take 1 of s03, then reject s01's takes with a new prompt: takes 3 and 4 generate.
  for (const [segmentId, take] of [
    ['s02', 2],
    ['s03', 1],
  ] as const) {
    await selectOnPage(page, segmentId, take);
  }
  const newPrompt = 'A frozen harbour at dusk, ice floes, 1950s newsreel';
  // The page reloads itself when s01's new takes are ready.
  await rejectOnPage(page, 's01', newPrompt, { awaitTakes: true });
  expect(await page.locator('#item-s01 .take').evaluateAll((takes) => takes.map((take) => take.getAttribute('data-take')))).toEqual([
    '3',
    '4',
  ]);
  await selectOnPage(page, 's01', 4);

  await page.click('#finalize');
  await page.waitForSelector('#finalize[data-delivered-key]', { timeout: 60_000 });
  const edlKey = (await page.locator('#finalize').getAttribute('data-delivered-key'))!;
  fs.mkdirSync(artifactsDir, { recursive: true });
  const screenshot = path.join(artifactsDir, `broll-review-${projectId}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);

  expect(await listKeys(edlKey)).toEqual([edlKey]);
  expect(parseEdl(await readText(edlKey)).events).toHaveLength(3);
  const result = await fixture.product.api.broll.waitForResult(projectId);
  expect(result.editList.edlKey).toBe(edlKey);
  expect(
    result.entries.map(({ segmentId, round, take, clipName, approval, promptText }) => ({
      segmentId,
      round,
      take,
      clipName,
      approval,
      promptText,
    })),
  ).toEqual([
    { segmentId: 's01', round: 2, take: 4, clipName: `${projectId}-s01-t4.mp4`, approval: 'approved', promptText: newPrompt },
    { segmentId: 's02', round: 1, take: 2, clipName: `${projectId}-s02-t2.mp4`, approval: 'approved', promptText: SEGMENTS[1]!.prompt },
    { segmentId: 's03', round: 1, take: 1, clipName: `${projectId}-s03-t1.mp4`, approval: 'approved', promptText: SEGMENTS[2]!.prompt },
  ]);
  // Presigned URLs (and their signatures) never reach the log.
  expect(serverLog.length).toBeGreaterThan(5);
  expect(serverLog.join('\n')).not.toMatch(/X-Amz|Signature|https?:/);
}, 300_000);

/** Start `broll review-server` as a user would; resolves with its URL once it listens. */
function spawnReviewServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', 'broll', 'review-server', ...args], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /review page: (\S+)/.exec(stdout)?.[1];
      if (url)
        resolve({
          url,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
            return stderr;
          },
        });
    });
    child.once('exit', (code) => reject(new Error(`review-server exited (${code}) before listening: ${stderr}`)));
  });
}

test('broll review-server refuses a non-loopback bind without a token, before connecting to anything', async () => {
  // Nothing listens at this address: the refusal must come before any connection.
  const env = { ...productEnv(fixture.product.taskQueue), TEMPORAL_ADDRESS: '127.0.0.1:1' };
  for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
    const run = await runCli(['broll', 'review-server', '--host', host, '--port', '0'], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--host: .*not a loopback address.*--token or REVIEW_TOKEN/);
  }
}, 60_000);

test('with a token, every request without it (or with a wrong one) is 401; the token works as a Bearer header or once in the URL', async () => {
  const token = `t-${randomUUID()}`;
  const running = await spawnReviewServer(['--host', '0.0.0.0', '--port', '0'], {
    ...productEnv(fixture.product.taskQueue),
    REVIEW_TOKEN: token,
  });
  try {
    const base = running.url.replace('0.0.0.0', '127.0.0.1');
    for (const path of ['', 'projects/anything', 'projects/anything/signature']) expect((await fetch(`${base}${path}`)).status).toBe(401);
    expect(
      (await fetch(`${base}projects/anything/review`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))
        .status,
    ).toBe(401);
    expect((await fetch(base, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}?token=wrong`, { redirect: 'manual' })).status).toBe(401);

    const listed = await fetch(base, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('awaiting review');
    // Opened once with ?token=, the page drops it from the address and keeps it as an HttpOnly cookie.
    const redirected = await fetch(`${base}?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe('/');
    const cookie = redirected.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(base, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
  } finally {
    const stderr = await running.stop();
    expect(stderr).not.toContain(token);
  }
}, 60_000);
