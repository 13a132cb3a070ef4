import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { leasePoolWorkflowId, leasesQuery } from '../../workflows/messages';
import { headlessBrowser } from '../helpers/headless-browser';
import { pollUntil } from '../helpers/poll';
import { startProductionUnderTest, type ProductionUnderTest } from './production-stack';

/**
 * Headless Chromium drives the production topology's UI server (ui-server 2.55.0 in front of the Temporal server on
 * PostgreSQL, decoding payloads through the stack's codec server): what an operator does there, on a campaign the
 * replicas ran.
 */
const artifactsDir = path.resolve(__dirname, '..', 'artifacts');
const taskQueue = 'production-web-ui';
const suffix = Date.now().toString(36);
const campaignId = `prod-webui-${suffix}`;
const prompts = ['A glass elevator rising through fog', 'Lanterns drifting over a dark lake'];
let production: ProductionUnderTest;
const browser = headlessBrowser();

beforeAll(async () => {
  production = await startProductionUnderTest({ name: 'web-ui', taskQueue, workers: 2 });
  await production.simulator.reset();
}, 240_000);
afterAll(async () => {
  await browser.close();
  await production?.stop();
});

/** The page's globals as the functions run in the browser see them (the project's TS lib has no DOM). */
interface BrowserWindow {
  document: { body: { innerText: string } };
}

/** Opens a UI page and waits until its text holds every one of `texts` (false after the timeout). */
async function showsAll(page: Page, url: string, texts: string[], timeout = 60_000): Promise<boolean> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  return page
    .waitForFunction(
      (wanted: string[]) => wanted.every((text) => (globalThis as unknown as BrowserWindow).document.body.innerText.includes(text)),
      texts,
      {
        timeout,
        polling: 500,
      },
    )
    .then(
      () => true,
      () => false,
    );
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `production-web-ui-${name}.png`) });
}

function decodes(): number {
  const logFile = production.stack.codecServer.logFile;
  return fs.existsSync(logFile) ? (fs.readFileSync(logFile, 'utf8').match(/POST \/decode 200/g) ?? []).length : 0;
}

function ui(route: string): string {
  return `${production.stack.urls.ui}/namespaces/${production.stack.env.TEMPORAL_NAMESPACE}${route}`;
}

test("a campaign's videos listed by WorkloadId; one opened shows its input decoded through the codec server, and its result", async () => {
  const { api } = production;
  const result = await api.campaigns.waitForResult(
    (
      await api.campaigns.start({
        campaignId,
        defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
        variants: prompts.map((promptText, index) => ({ id: `shot${index + 1}`, promptText })),
        options: { pollInterval: 200, pollJitter: 0.1, maxPendingWait: '1h', maxRunningWait: '1h' },
      })
    ).campaignId,
  );
  expect(result).toMatchObject({ total: 2, archived: 2 });
  const videoIds = result.variants.map((variant) => variant.workflowId);

  const page = await browser.page();
  const listed = await showsAll(page, ui(`/workflows?query=${encodeURIComponent(`WorkloadId = "${campaignId}"`)}`), videoIds);
  await screenshot(page, 'campaign-list');
  expect(listed).toBe(true);

  const video = result.variants[0]!;
  const before = decodes();
  const handle = api.client.workflow.getHandle(video.workflowId);
  const runId = (await handle.describe()).runId;
  // The input (its prompt) and the result (the archive's sha256 and the Runway task) are encrypted in PostgreSQL; the
  // UI shows them only through the codec server.
  const opened = await showsAll(page, ui(`/workflows/${encodeURIComponent(video.workflowId)}/${runId}/history`), [
    prompts[0]!,
    video.result!.s3.sha256,
  ]);
  await screenshot(page, 'video');
  expect(opened).toBe(true);
  expect(decodes()).toBeGreaterThan(before);
  const stored = await production.stack.postgres.query(
    'temporal',
    `select count(*) from history_node where encode(data, 'escape') like '%${prompts[0]!.slice(0, 20)}%'`,
  );
  expect(Number(stored)).toBe(0);
}, 240_000);

test("schedules created, triggered and listed on the UI's schedules page", async () => {
  const { api } = production;
  const scheduleIds = [`prod-ui-nightly-${suffix}`, `prod-ui-weekly-${suffix}`];
  for (const [index, scheduleId] of scheduleIds.entries())
    await api.schedules.createSchedule({
      scheduleId,
      campaign: {
        campaignId: `${scheduleId}-src`,
        defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
        variants: [{ id: 'one', promptText: `A kite over dunes, take ${index + 1}` }],
      },
      cron: index === 0 ? '0 2 * * *' : '0 3 * * 1',
    });
  await api.schedules.trigger(scheduleIds[0]!);
  const described = await pollUntil(
    'the triggered run',
    () => api.schedules.describeSchedule(scheduleIds[0]!),
    (schedule) => schedule.recentRuns.length >= 1,
    30_000,
    500,
  );

  const page = await browser.page();
  const listed = await showsAll(page, ui('/schedules'), scheduleIds);
  await screenshot(page, 'schedules');
  expect(listed).toBe(true);
  // The triggered one's page shows its run: the workflow the trigger started.
  const triggered = await showsAll(page, ui(`/schedules/${encodeURIComponent(scheduleIds[0]!)}`), [
    scheduleIds[0]!,
    described.recentRuns[0]!.workflowId,
  ]);
  await screenshot(page, 'schedule');
  expect(triggered).toBe(true);
  for (const scheduleId of scheduleIds) await api.schedules.deleteSchedule(scheduleId);
}, 180_000);

test("the lease pool's query is answered: in the UI's Queries tab, by the client and by the CLI", async () => {
  const { api, stack } = production;
  const poolId = leasePoolWorkflowId(taskQueue);
  const runId = (await api.client.workflow.getHandle(poolId).describe()).runId;
  const page = await browser.page();
  await page.goto(ui(`/workflows/${encodeURIComponent(poolId)}/${runId}/query`), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  // The tab lists the workflow's query types; choosing one and running it shows the answer, decoded.
  const answered = await page
    .waitForFunction(() => (globalThis as unknown as BrowserWindow).document.body.innerText.includes('gen4.5'), undefined, {
      timeout: 10_000,
      polling: 500,
    })
    .then(
      () => true,
      async () => {
        const run = page.getByRole('button', { name: /run query|query/i }).first();
        if (await run.isVisible().catch(() => false)) await run.click();
        return page
          .waitForFunction(() => (globalThis as unknown as BrowserWindow).document.body.innerText.includes('gen4.5'), undefined, {
            timeout: 30_000,
            polling: 500,
          })
          .then(
            () => true,
            () => false,
          );
      },
    );
  await screenshot(page, 'lease-pool-query');
  process.stdout.write(`lease pool query in the UI's Queries tab: ${answered ? 'answered' : 'not answered'}\n`);
  expect(answered).toBe(true);

  // The same query through the product's client (which holds the codec key) and through the CLI (which does not: it
  // gets the answer still encrypted).
  expect(JSON.stringify(await api.client.workflow.getHandle(poolId).query(leasesQuery))).toContain('gen4.5');
  const cli = await new Promise<string>((resolve, reject) =>
    execFile(
      stack.temporalCliPath,
      ['workflow', 'query', '--workflow-id', poolId, '--type', leasesQuery.name, '--address', stack.urls.frontend, '-o', 'json'],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      (error, stdout, stderr) => (error ? reject(new Error(`${stderr}${error.message}`)) : resolve(stdout)),
    ),
  );
  expect(cli).toContain('queryResult');
}, 180_000);
