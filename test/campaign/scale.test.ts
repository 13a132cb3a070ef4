import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { listKeys, readJsonObject, readText } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { pollUntil, sleep } from '../helpers/poll';
import { productEnv, runCli } from '../helpers/worker-process';

const VARIANTS = 300;
const WINDOW = 20;
const HAND_OVER_EVERY = 50;

let product: RunningProduct;
let dir: string;

beforeAll(async () => {
  product = await startProduct({ name: 'campaign-scale', cap: WINDOW });
  dir = await mkdtemp(join(tmpdir(), 'campaign-scale-'));
});
afterAll(async () => {
  await product.stop();
});

/** A JSONL campaign: the header line, then one variant a line. */
async function jsonlCampaign(campaignId: string, count: number, extra: Record<string, unknown> = {}): Promise<string> {
  const header = {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    options: { ...FAST_OPTIONS, maxOpenVideos: WINDOW, continueAsNewEvery: HAND_OVER_EVERY, ...extra },
  };
  const lines = [JSON.stringify(header)];
  for (let index = 1; index <= count; index++) lines.push(JSON.stringify({ id: `v${index}`, promptText: `${campaignId} shot ${index}` }));
  const path = join(dir, `${campaignId}.jsonl`);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

/** Children of the campaign open now, as Temporal's visibility counts them (it lags a little: a lower bound). */
async function runningChildren(campaignId: string): Promise<number> {
  const { count } = await product.client.workflow.count(
    `WorkflowType = 'GenerationWorkflow' AND WorkloadId = '${campaignId}' AND ExecutionStatus = 'Running'`,
  );
  return count;
}

/** Cancel the campaign, see it end failed, wait until visibility shows no open child; then the simulator's view. */
async function cancelUntilNoOpenChild(campaignId: string, timeoutMs: number) {
  await product.api.campaigns.cancel(campaignId);
  await expect(product.api.campaigns.waitForResult(campaignId)).rejects.toThrow();
  await pollUntil(
    'no open child',
    () => runningChildren(campaignId),
    (count) => count === 0,
    timeoutMs,
  );
  return simulatorStats();
}

test(`${VARIANTS} variants, window ${WINDOW}, continue-as-new every ${HAND_OVER_EVERY}: each archived once, manifest parts list all, re-run reuses all`, async () => {
  await resetSimulator({ concurrency: WINDOW });
  const campaignId = 'scale-300';
  const path = await jsonlCampaign(campaignId, VARIANTS);
  const began = Date.now();
  const started = await product.api.campaigns.start(path);
  const inputParts = await listKeys(`${campaignId}/inputs/variants/`);
  expect(inputParts.length).toBe(Math.ceil(VARIANTS / 250));

  // Sample the open children while it runs: the workflow's own count and visibility's.
  let sampledOpen = 0;
  let sampledRunning = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const progress = await product.api.campaigns.progress(campaignId).catch(() => undefined);
      if (progress?.open !== undefined) sampledOpen = Math.max(sampledOpen, progress.open);
      sampledRunning = Math.max(sampledRunning, await runningChildren(campaignId).catch(() => 0));
      await sleep(200);
    }
  })();
  const result = await product.api.campaigns.waitForResult(started.campaignId).finally(() => {
    sampling = false;
  });
  await sampler;
  const seconds = (Date.now() - began) / 1000;

  expect(result).toMatchObject({ total: VARIANTS, archived: VARIANTS, failed: 0 });
  // Large campaigns list their variants in the manifest parts, not in the result.
  expect(result.variants).toEqual([]);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(VARIANTS);
  expect(Object.keys(stats.createsByPrompt)).toHaveLength(VARIANTS);
  expect(Object.values(stats.createsByPrompt).every((creates) => creates === 1)).toBe(true);
  expect(result.credits).toBe(stats.credits.net);

  expect(result.maxOpen).toBeLessThanOrEqual(WINDOW);
  expect(result.maxOpen).toBeGreaterThan(1);
  expect(sampledOpen).toBeLessThanOrEqual(WINDOW);
  expect(sampledRunning).toBeLessThanOrEqual(WINDOW);
  expect(result.runs).toBeGreaterThanOrEqual(VARIANTS / HAND_OVER_EVERY);

  // The run chain as Temporal records it: every run but the last continued as new.
  const runs = await pollUntil(
    'the campaign run chain in visibility',
    async () => {
      const statuses: string[] = [];
      for await (const execution of product.client.workflow.list({ query: `WorkflowId = '${campaignId}'` }))
        statuses.push(execution.status.name);
      return statuses;
    },
    (statuses) => statuses.filter((status) => status === 'CONTINUED_AS_NEW').length >= VARIANTS / HAND_OVER_EVERY - 1,
    20_000,
  );
  expect(runs.length).toBeGreaterThanOrEqual(6);

  // The manifest index lists parts whose outcomes cover every variant once, each with its clip's sha256.
  const index = await readJsonObject<{ total: number; archived: number; parts: Array<{ key: string; count: number; sha256: string }> }>(
    result.manifest.key,
  );
  expect(index).toMatchObject({ total: VARIANTS, archived: VARIANTS });
  const seen = new Set<string>();
  for (const part of index.parts) {
    const text = await readText(part.key);
    expect(createHash('sha256').update(text).digest('hex')).toBe(part.sha256);
    const entries = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { variantId: string; status: string; s3?: { sha256: string } });
    expect(entries).toHaveLength(part.count);
    for (const entry of entries) {
      expect(seen.has(entry.variantId)).toBe(false);
      seen.add(entry.variantId);
      expect(entry.status).toBe('archived');
      expect(entry.s3?.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  }
  expect(seen.size).toBe(VARIANTS);
  console.log(
    `scale: ${VARIANTS} variants in ${seconds.toFixed(1)} s, ${result.runs} runs, max open ${result.maxOpen} (sampled ${sampledOpen}, visibility ${sampledRunning})`,
  );

  // Re-running the same campaign: every variant reused, nothing POSTed.
  const rerun = await product.api.campaigns.waitForResult((await product.api.campaigns.start(path)).campaignId);
  expect(rerun).toMatchObject({ total: VARIANTS, archived: VARIANTS, failed: 0, reused: VARIANTS, credits: 0 });
  expect((await simulatorStats()).submissions.total).toBe(VARIANTS);
}, 600_000);

test(`cancelling a ${VARIANTS}-variant campaign mid-run cancels every open child and DELETEs every open remote task`, async () => {
  // Generations of minutes real: whatever is open when the cancel lands is still live at Runway.
  await resetSimulator({ concurrency: WINDOW, generationSeconds: { kind: 'uniform', min: 36_000, max: 72_000 } });
  const campaignId = 'scale-cancel';
  const path = await jsonlCampaign(campaignId, VARIANTS, { maxRunningWait: '1h', maxPendingWait: '1h' });
  await product.api.campaigns.start(path);
  await pollUntil(
    'the window full of running children',
    async () => (await product.api.campaigns.progress(campaignId).catch(() => undefined))?.counts.running ?? 0,
    (running) => running >= WINDOW / 2,
    60_000,
  );
  const stats = await cancelUntilNoOpenChild(campaignId, 30_000);
  expect(stats.submissions.total).toBeGreaterThan(0);
  expect(stats.submissions.total).toBeLessThan(VARIANTS);
  const live = stats.tasks.filter((task) => ['PENDING', 'THROTTLED', 'RUNNING'].includes(task.status) && !task.deleted);
  expect(live).toEqual([]);
  expect(stats.deletes).toBeGreaterThanOrEqual(WINDOW / 2);

  // The cancelled campaign still leaves its manifest index: what ended, as cancelled, and what never started.
  const index = await readJsonObject<{ status: string; total: number; archived: number; cancelled: number; notStarted: number }>(
    `${campaignId}/manifest.json`,
  );
  expect(index).toMatchObject({ status: 'cancelled', total: VARIANTS, archived: 0 });
  expect(index.cancelled).toBeGreaterThanOrEqual(stats.submissions.total);
  expect(index.notStarted).toBe(VARIANTS - index.cancelled);
}, 300_000);

test('a campaign cancelled while its children are still starting leaves none of them running', async () => {
  await resetSimulator({ concurrency: WINDOW, generationSeconds: { kind: 'uniform', min: 36_000, max: 72_000 } });
  const campaignId = 'scale-cancel-starting';
  // A window of 60 at once: the cancel lands while many child starts are still in flight.
  const path = await jsonlCampaign(campaignId, 60, { maxOpenVideos: 60, maxRunningWait: '1h', maxPendingWait: '1h' });
  await product.api.campaigns.start(path);
  await pollUntil(
    'the first children starting',
    async () => (await product.api.campaigns.progress(campaignId).catch(() => undefined))?.open ?? 0,
    (open) => open > 0,
    60_000,
    20,
  );
  const stats = await cancelUntilNoOpenChild(campaignId, 60_000);
  const live = stats.tasks.filter((task) => ['PENDING', 'THROTTLED', 'RUNNING'].includes(task.status) && !task.deleted);
  expect(live).toEqual([]);
  const index = await readJsonObject<{ status: string; cancelled: number; notStarted: number }>(`${campaignId}/manifest.json`);
  expect(index.status).toBe('cancelled');
  expect(index.cancelled).toBeGreaterThanOrEqual(stats.submissions.total);
}, 300_000);

test('a JSONL campaign with a malformed row and a bad field: both reported by line number, nothing started', async () => {
  await resetSimulator();
  const campaignId = 'scale-bad-rows';
  const lines = [
    JSON.stringify({ campaignId, defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 }, options: FAST_OPTIONS }),
    JSON.stringify({ id: 'v1', promptText: 'fine' }),
    '{"id": "v2", "promptText": "broken',
    JSON.stringify({ id: 'v3', promptText: 'fine too' }),
    JSON.stringify({ id: 'v4', promptText: 'bad duration', overrides: { duration: 99 } }),
  ];
  const path = join(dir, `${campaignId}.jsonl`);
  await writeFile(path, lines.join('\n') + '\n');
  const error = await product.api.campaigns.start(path).then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  expect(error?.name).toBe('InputError');
  expect(error?.message).toMatch(/line 3: not valid JSON/);
  expect(error?.message).toMatch(/line 5: .*duration/);
  expect(error?.message).not.toMatch(/line (2|4)/);
  await expect(product.client.workflow.getHandle(campaignId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  expect(await listKeys(`${campaignId}/`)).toEqual([]);
  expect((await simulatorStats()).submissions.total).toBe(0);
});

test('a child terminated by an operator (no end signal) is settled as failed and the campaign still ends', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'stuck forever' }, fault: 'stuck_running' }] } });
  const campaignId = 'scale-terminated';
  const started = await product.api.campaigns.start({
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: [
      { id: 'ok', promptText: 'a quiet harbour' },
      { id: 'stuck', promptText: 'stuck forever' },
    ],
    options: { ...FAST_OPTIONS, maxRunningWait: '1h' },
  });
  await pollUntil(
    'the stuck child running',
    async () => (await product.api.generations.progress(`${campaignId}--stuck`).catch(() => undefined))?.state,
    (state) => state === 'running',
    30_000,
  );
  await product.client.workflow.getHandle(`${campaignId}--stuck`).terminate('operator');
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  expect(result).toMatchObject({ total: 2, archived: 1, failed: 1 });
  expect(result.variants.find((variant) => variant.variantId === 'stuck')?.error?.message).toContain('TERMINATED');
}, 180_000);

test('the budget holds across hand-overs: the credit book travels with continue-as-new', async () => {
  await resetSimulator({ concurrency: 5 });
  const campaignId = 'scale-budget';
  // gen4.5, 5 s: 60 credits a video; the budget buys 100 of 120.
  const path = await jsonlCampaign(campaignId, 120, { maxOpenVideos: 5, continueAsNewEvery: 20, budgetCredits: 6000 });
  const result = await product.api.campaigns.waitForResult((await product.api.campaigns.start(path)).campaignId);
  const stats = await simulatorStats();
  expect(result).toMatchObject({ total: 120, archived: 100, failed: 20, credits: 6000 });
  expect(result.runs).toBeGreaterThanOrEqual(6);
  expect(stats.submissions.total).toBe(100);
  expect(stats.credits.net).toBe(6000);
}, 300_000);

test('the CLI starts a JSONL campaign and waits for it; a bad row fails with one line naming its line number', async () => {
  const env = productEnv(product.taskQueue);
  const path = await jsonlCampaign('scale-cli', 3);
  const run = await runCli(['campaign', 'start', '-f', path, '--wait', '--json'], env);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ campaignId: 'scale-cli', total: 3, archived: 3 });
  const status = await runCli(['campaign', 'status', 'scale-cli', '--json'], env);
  expect(JSON.parse(status.stdout)).toMatchObject({ total: 3, counts: { archived: 3 }, runs: 1 });

  const bad = join(dir, 'scale-cli-bad.jsonl');
  await writeFile(bad, [JSON.stringify({ campaignId: 'scale-cli-bad' }), JSON.stringify({ id: 'v1', promptText: 'no model' })].join('\n'));
  const refused = await runCli(['campaign', 'start', '-f', bad, '--json'], env);
  expect(refused.code).toBe(2);
  expect(refused.stdout).toBe('');
  expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(refused.stderr).toContain('line 2');
}, 120_000);
