import type { Page } from 'playwright-core';
import { startReviewServer, type RunningReviewServer } from '../../client/review/review-server';
import { pollUntil } from './poll';
import { headlessBrowser, type HeadlessBrowser } from './headless-browser';
import { startProduct, type RunningProduct } from './product';
import { s3Client } from './stack';

/**
 * The review page over a product's reviewed workloads (B-roll projects and explainers), on a free loopback
 * port, as `broll review-server` and `explainer review-server` serve it; close() also closes its S3 client.
 */
export async function startReviewPage(product: RunningProduct, log?: (line: string) => void): Promise<RunningReviewServer> {
  const s3 = s3Client();
  const server = await startReviewServer({ workloads: [product.api.broll, product.api.explainers], s3, port: 0, ...(log ? { log } : {}) });
  return {
    ...server,
    close: async () => {
      await server.close();
      s3.destroy();
    },
  };
}

/** A test file's product, its review page (its log kept) and a headless Chromium, started before and stopped after its tests. */
export interface ReviewPageFixture {
  readonly product: RunningProduct;
  readonly server: RunningReviewServer;
  readonly browser: HeadlessBrowser;
  /** The server's log lines. */
  readonly log: string[];
}

export function reviewPageFixture(name: string, browserOptions: Parameters<typeof headlessBrowser>[0] = {}): ReviewPageFixture {
  let product: RunningProduct | undefined;
  let server: RunningReviewServer | undefined;
  const log: string[] = [];
  const browser = headlessBrowser({ viewport: { width: 1400, height: 1000 }, ...browserOptions });
  beforeAll(async () => {
    product = await startProduct({ name });
    server = await startReviewPage(product, (line) => log.push(line));
  });
  afterAll(async () => {
    await browser.close();
    await server?.close();
    await product?.stop();
  });
  return {
    get product() {
      return product!;
    },
    get server() {
      return server!;
    },
    browser,
    log,
  };
}

/**
 * Opens a workload's review page (`/projects/<id>`, `/explainers/<id>`) from the list of what awaits review;
 * the list comes from visibility (ProjectState="awaiting-review"), so it is looked at again until it is there.
 */
export async function openFromList(page: Page, server: RunningReviewServer, href: string): Promise<void> {
  await pollUntil(
    `${href} on the list of what awaits review`,
    async () => {
      await page.goto(server.url, { waitUntil: 'domcontentloaded' });
      return page.locator(`a[href="${href}"]`).count();
    },
    (count) => count === 1,
    60_000,
    1_000,
  );
  await page.click(`a[href="${href}"]`);
  await page.waitForSelector('#project');
}

/** Selects (approves) an item's take on the page; resolves once the reloaded page shows it selected. */
export async function selectOnPage(page: Page, key: string, take: number): Promise<void> {
  await page.click(`#item-${key} button.select[data-take="${take}"]`);
  await page.waitForSelector(`#item-${key}[data-state="approved"] .take.selected[data-take="${take}"]`, { timeout: 30_000 });
}

/**
 * Rejects an item's round on the page with a new prompt; resolves once its new round is generating, or with
 * `awaitTakes` once the page (reloading itself) shows the new round's takes ready for review.
 */
export async function rejectOnPage(page: Page, key: string, promptText: string, options: { awaitTakes?: boolean } = {}): Promise<void> {
  await page.fill(`#item-${key} textarea.new-prompt`, promptText);
  await page.click(`#item-${key} button.reject`);
  await page.waitForSelector(`#item-${key}[data-state="generating"]`, { timeout: 30_000 });
  if (!options.awaitTakes) return;
  await page.waitForSelector(`#item-${key}[data-state="awaiting-review"]`, { timeout: 90_000 });
  expect(await page.locator(`#item-${key} .prompt`).first().innerText()).toBe(promptText);
}
