import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type BrowserContext } from 'playwright-core';
import { defaultPayloadConverter } from '@temporalio/common';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGS, chromiumMissingMessage } from '../../stack/browser';
import { CampaignIdKey, RunwayModelKey, RunwayTaskIdKey, VariantIdKey, VideoStateKey } from '../../workflows/search-attributes';
import type { CampaignFileInput } from '../../schemas';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';

const artifactsDir = path.resolve(__dirname, '..', 'artifacts');
const suffix = randomUUID().slice(0, 6);
let product: RunningProduct;
let userDataDir: string | undefined;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  product = await startProduct({ name: 'web-ui' });
});
afterAll(async () => {
  await browser?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  await product.stop();
});

/** The page's globals as the functions run in the browser see them (the project's TS lib has no DOM). */
interface BrowserWindow {
  document: { body: { innerText: string } };
}

function campaign(campaignId: string, prompts: string[]): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: prompts.map((promptText, index) => ({ id: `shot${index + 1}`, promptText })),
    options: FAST_OPTIONS,
  };
}

test('workflows carry the search attributes, the prompt memo and activity summaries the Web UI shows', async () => {
  await resetSimulator();
  const campaignId = `attrs-${suffix}`;
  const result = await product.api.waitForResult(
    (await product.api.startCampaign(campaign(campaignId, ['Morning fog over a harbour']))).campaignId,
  );
  const variant = result.variants[0]!;
  const child = product.client.workflow.getHandle(variant.workflowId);
  const described = await child.describe();
  expect(described.typedSearchAttributes.get(CampaignIdKey)).toBe(campaignId);
  expect(described.typedSearchAttributes.get(VariantIdKey)).toBe('shot1');
  expect(described.typedSearchAttributes.get(RunwayModelKey)).toBe('gen4.5');
  expect(described.typedSearchAttributes.get(RunwayTaskIdKey)).toBe(variant.result?.runwayTaskId);
  expect(described.typedSearchAttributes.get(VideoStateKey)).toBe('archived');
  expect(await described.memo).toMatchObject({ prompt: 'Morning fog over a harbour', model: 'gen4.5' });
  expect(await described.staticSummary()).toBe('shot1: Morning fog over a harbour');

  const history = await child.fetchHistory();
  // Activities and local activities (pre-screen, slot request: recorded as markers) alike.
  const summaries = (history.events ?? [])
    .filter((event) => event.activityTaskScheduledEventAttributes || event.markerRecordedEventAttributes)
    .map((event) => (event.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(event.userMetadata.summary) : undefined));
  expect(summaries).toEqual(
    expect.arrayContaining([
      `pre-screen shot1's prompt`,
      'ask for a Runway gen4.5 lease (submission 1)',
      'gen4.5 submission 1 of shot1: submit and poll',
      expect.stringMatching(/^archive shot1 \(task [\w-]+\) to S3$/),
    ]),
  );
  expect(summaries).not.toContain(undefined);

  const listed: string[] = [];
  for await (const execution of product.client.workflow.list({ query: `CampaignId="${campaignId}"` })) listed.push(execution.workflowId);
  expect(listed.sort()).toEqual([campaignId, variant.workflowId].sort());
}, 60_000);

test("headless Chromium: the Web UI filtered by CampaignId lists that campaign's child workflows, and only those", async () => {
  // A missing browser is a failure, not a skip: `npm test` installs it (stack/browser.ts).
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(chromiumMissingMessage('not installed'));
  await resetSimulator();
  const campaignId = `webui-${suffix}`;
  const otherId = `webui-other-${suffix}`;
  const [shown, other] = await Promise.all([
    product.api.startCampaign(campaign(campaignId, ['A lighthouse in a storm', 'Gulls over a pier'])),
    product.api.startCampaign(campaign(otherId, ['A desert road at noon'])),
  ]);
  const [result, otherResult] = await Promise.all([
    product.api.waitForResult(shown.campaignId),
    product.api.waitForResult(other.campaignId),
  ]);
  const childIds = result.variants.map((variant) => variant.workflowId);
  expect(childIds).toEqual([`${campaignId}--shot1`, `${campaignId}--shot2`]);

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: HEADLESS_CHROMIUM_ARGS,
    viewport: { width: 1600, height: 1000 },
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const { temporalUiUrl, namespace } = testStack();
  const url = `${temporalUiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`CampaignId="${campaignId}"`)}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.waitForFunction(
    (ids: string[]) => ids.every((id) => (globalThis as unknown as BrowserWindow).document.body.innerText.includes(id)),
    childIds,
    { timeout: 60_000, polling: 500 },
  );

  fs.mkdirSync(artifactsDir, { recursive: true });
  const screenshot = path.join(artifactsDir, `web-ui-${campaignId}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);

  const text = await page.locator('body').innerText();
  for (const id of childIds) expect(text).toContain(id);
  expect(text).not.toContain(otherResult.variants[0]!.workflowId);
}, 180_000);
