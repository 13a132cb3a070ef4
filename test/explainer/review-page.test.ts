import fs from 'node:fs';
import path from 'node:path';
import { explainerInput } from '../helpers/explainer-input';
import { listKeys } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { openFromList, rejectOnPage, reviewPageFixture, selectOnPage } from '../helpers/review-page';

/** The review page serving an explainer, driven in headless Chromium as a teacher would. */
const artifactsDir = path.resolve(__dirname, '..', 'artifacts');
const fixture = reviewPageFixture('explainer-review-page');
const { browser, log: serverLog } = fixture;

interface BrowserMedia {
  duration: number;
}
type Query = { document: { querySelector(selector: string): BrowserMedia | null } };

const NARRATION = [
  'Cells are the smallest units of life.',
  'Each cell has a <b>membrane</b> & a "wall".',
  'Inside, the nucleus keeps the plans.',
];

test('headless Chromium: the teacher approves a chunk, rejects one with a new prompt (a new clip) and approves it, redoes a voiceover, and assembles: the MP4 and the SCORM package are in S3', async () => {
  await resetSimulator();
  const explainerId = `lesson-${Date.now().toString(36)}`;
  await fixture.product.api.explainers.startPlanned(
    explainerInput(explainerId, { chunks: 3, review: true, narration: (index) => NARRATION[index] }),
  );

  const page = await browser.page();
  await openFromList(page, fixture.server, `/explainers/${explainerId}`);
  for (const chunk of ['c01', 'c02', 'c03'])
    await page.waitForSelector(`#item-${chunk}[data-state="awaiting-review"]`, { timeout: 60_000 });
  // No contact sheet for an explainer; a clip and a voiceover per chunk, both playing from presigned URLs.
  expect(await page.locator('#contact-sheet, #contact-sheet-pending').count()).toBe(0);
  expect(await page.locator('.take video').count()).toBe(3);
  expect(await page.locator('.voiceover audio').count()).toBe(3);
  await page.waitForFunction(
    () => ((globalThis as unknown as Query).document.querySelector('#item-c01 audio')?.duration ?? 0) > 0,
    undefined,
    {
      timeout: 30_000,
    },
  );
  await expect(page.locator('#finalize').innerText()).resolves.toBe('Assemble the explainer');
  // The narration is text, never markup.
  await expect(page.locator('#item-c02 .text').innerText()).resolves.toBe(NARRATION[1]);
  expect(await page.locator('#item-c02 .text b').count()).toBe(0);

  // Approve c01; reject c02's clip with a new prompt: a new clip (take 2) generates, the page reloads when it is in.
  await selectOnPage(page, 'c01', 1);
  const newPrompt = 'clean flat illustration, soft pastel colours: a cell membrane seen up close';
  await rejectOnPage(page, 'c02', newPrompt, { awaitTakes: true });
  expect(await page.locator('#item-c02 .take[data-take="2"][data-state="ready"]').count()).toBe(1);
  await selectOnPage(page, 'c02', 2);

  // Redo c03's voiceover with new text; approve it once the new voiceover is in.
  const newText = 'The nucleus keeps the plans of the cell.';
  await page.fill('#item-c03 textarea.new-text', newText);
  await page.click('#item-c03 button.revoice');
  await page.waitForSelector('#item-c03[data-state="awaiting-review"] .voiceover[data-take="2"][data-state="ready"]', { timeout: 90_000 });
  await expect(page.locator('#item-c03 .text').innerText()).resolves.toBe(newText);
  await selectOnPage(page, 'c03', 1);

  // Assemble: the finalize Update answers once the MP4 and its package are in S3.
  await page.click('#finalize');
  await page.waitForSelector('#finalize[data-delivered-key]', { timeout: 120_000 });
  const mp4Key = (await page.locator('#finalize').getAttribute('data-delivered-key'))!;
  expect(mp4Key).toBe(`explainers/${explainerId}/explainer.mp4`);
  await expect(page.locator('#finalize-message').innerText()).resolves.toMatch(/^assembled: s3:\/\/.*explainer\.mp4 and its SCORM package/);
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `explainer-review-${explainerId}.png`), fullPage: true });

  expect(await listKeys(`explainers/${explainerId}/explainer`)).toEqual(
    ['mp4', 'vtt', 'zip'].map((extension) => `explainers/${explainerId}/explainer.${extension}`),
  );
  const result = await fixture.product.api.explainers.waitForResult(explainerId);
  expect(result.video.key).toBe(mp4Key);
  expect(result.package.format).toBe('scorm-1.2');
  expect(result.chunks.map((chunk) => chunk.text)).toEqual([NARRATION[0], NARRATION[1], newText]);
  expect(result.chunks[1]!.clipKey).toMatch(new RegExp(`^explainers/${explainerId}/c02--clip--t2/`));
  expect(result.chunks[2]!.voiceoverKey).toMatch(new RegExp(`^explainers/${explainerId}/c03--voice--t2/`));
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(8);
  expect(result.credits).toBe(stats.credits.net);
  // Presigned URLs (and their signatures) never reach the log.
  expect(serverLog.join('\n')).not.toMatch(/X-Amz|Signature|https?:/);
}, 300_000);
