import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { RunwayTemporal } from '../../client/runway-temporal';
import { AesGcmPayloadCodec, codecKeysFromEnv, ENCRYPTED_ENCODING } from '../../infra/payload-codec';
import { WorkloadIdKey, RunwayModelKey, RunwayTaskIdKey, GenerationKeyKey, GenerationStateKey } from '../../workflows/search-attributes';
import type { CampaignFileInput } from '../../schemas';
import { headlessBrowser } from '../helpers/headless-browser';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';

const artifactsDir = path.resolve(__dirname, '..', 'artifacts');
const suffix = randomUUID().slice(0, 6);
let product: RunningProduct;
const browser = headlessBrowser();

beforeAll(async () => {
  product = await startProduct({ name: 'web-ui' });
});
afterAll(async () => {
  await browser.close();
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
  const result = await product.api.campaigns.waitForResult(
    (await product.api.campaigns.start(campaign(campaignId, ['Morning fog over a harbour']))).campaignId,
  );
  const variant = result.variants[0]!;
  const child = product.client.workflow.getHandle(variant.workflowId);
  const described = await child.describe();
  expect(described.typedSearchAttributes.get(WorkloadIdKey)).toBe(campaignId);
  expect(described.typedSearchAttributes.get(GenerationKeyKey)).toBe('shot1');
  expect(described.typedSearchAttributes.get(RunwayModelKey)).toBe('gen4.5');
  expect(described.typedSearchAttributes.get(RunwayTaskIdKey)).toBe(variant.result?.runwayTaskId);
  expect(described.typedSearchAttributes.get(GenerationStateKey)).toBe('archived');
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
  for await (const execution of product.client.workflow.list({ query: `WorkloadId="${campaignId}"` })) listed.push(execution.workflowId);
  expect(listed.sort()).toEqual([campaignId, variant.workflowId].sort());
}, 60_000);

test("headless Chromium: the Web UI filtered by WorkloadId lists that campaign's child workflows, and only those", async () => {
  await resetSimulator();
  const campaignId = `webui-${suffix}`;
  const otherId = `webui-other-${suffix}`;
  const [shown, other] = await Promise.all([
    product.api.campaigns.start(campaign(campaignId, ['A lighthouse in a storm', 'Gulls over a pier'])),
    product.api.campaigns.start(campaign(otherId, ['A desert road at noon'])),
  ]);
  const [result, otherResult] = await Promise.all([
    product.api.campaigns.waitForResult(shown.campaignId),
    product.api.campaigns.waitForResult(other.campaignId),
  ]);
  const childIds = result.variants.map((variant) => variant.workflowId);
  expect(childIds).toEqual([`${campaignId}--shot1`, `${campaignId}--shot2`]);

  const page = await browser.page();
  const { temporalUiUrl, namespace } = testStack();
  const url = `${temporalUiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`WorkloadId="${campaignId}"`)}`;
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

test("headless Chromium: a video's encrypted input shows decoded in the Web UI, through the stack's codec server; the raw history holds no prompt", async () => {
  const { temporalAddress, namespace, temporalUiUrl, dataDir, env } = testStack();
  const secretPrompt = `Unreleased: the ${suffix} sneaker glides across a glacier at golden hour`;
  const keys = codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: env.PAYLOAD_CODEC_KEYS });
  if (!keys) throw new Error('the test stack wrote no PAYLOAD_CODEC_KEYS to stack.env');
  const connection = await Connection.connect({ address: temporalAddress });
  // The product's typed client with the stack's key in its data converter, on a queue no worker serves: the
  // started event's input is all the Web UI needs, and nothing runs it.
  const codecClient = new Client({ connection, namespace, dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(keys)] } });
  const api = new RunwayTemporal({ ...product.api.options, client: codecClient, taskQueue: `codec-ui-${suffix}` });
  const handle = await api.generations.startVideo({
    videoId: `codec-ui-${suffix}`,
    model: 'gen4.5',
    promptText: secretPrompt,
    ratio: '1280:720',
    duration: 5,
  });
  const codecLog = path.join(dataDir, 'logs', 'codec-server.log');
  const decodesBefore = countDecodes(codecLog);
  try {
    // Raw history, as the server stores it (no data converter): encrypted, no prompt anywhere.
    const raw = await connection.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId: handle.workflowId, runId: handle.firstExecutionRunId },
    });
    const started = raw.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = started?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString('utf8')).toBe(ENCRYPTED_ENCODING);
    expect(rawText(raw.history)).not.toContain('glacier');
    // The codec client reads it back.
    const [decoded] = await new AesGcmPayloadCodec(keys).decode(input ? [input] : []);
    expect(decoded && defaultPayloadConverter.fromPayload(decoded)).toMatchObject({ request: { promptText: secretPrompt } });

    const page = await browser.page();
    const url = `${temporalUiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(handle.workflowId)}/${handle.firstExecutionRunId}/history`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const shown = await page
      .waitForFunction((text: string) => (globalThis as unknown as BrowserWindow).document.body.innerText.includes(text), secretPrompt, {
        timeout: 60_000,
        polling: 500,
      })
      .then(
        () => true,
        () => false,
      );
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, `web-ui-codec-${suffix}.png`), fullPage: true });
    expect(shown).toBe(true);
    // The UI got the text from the codec server (the only holder of the key it could ask).
    expect(countDecodes(codecLog)).toBeGreaterThan(decodesBefore);
  } finally {
    await handle.terminate('web UI codec test done').catch(() => undefined);
    await connection.close();
  }
}, 180_000);

/** Every payload byte of a history as text, so a plain-text prompt anywhere in it would show. */
function rawText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
}

function countDecodes(logFile: string): number {
  if (!fs.existsSync(logFile)) return 0;
  return (fs.readFileSync(logFile, 'utf8').match(/POST \/decode 200/g) ?? []).length;
}
