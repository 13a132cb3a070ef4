import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunwayTemporal } from '../../client';
import type { CampaignFileInput } from '../../schemas';
import { clientFor, uniqueTaskQueue } from '../helpers/product';
import { pollUntil, sleep } from '../helpers/poll';
import { objectSha256, readJsonObject } from '../helpers/s3-object';
import { resetSimulator, simulatorLiveStats, simulatorStats, type LiveTally } from '../helpers/simulator-admin';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';

/**
 * Three worker processes on one task queue share one Runway workspace. Its per-model caps differ, and
 * nothing but the lease pool (which reads them from GET /v1/organization) can hold them: no ceiling is
 * set, and each process has more generation slots than either cap.
 */
const CAPS = { 'gen4.5': 3, 'veo3.1_fast': 5 } as const;
type CappedModel = keyof typeof CAPS;
const REPLICAS = 3;
const SLOTS_PER_REPLICA = 8;
const VARIANTS_PER_MODEL = 12;

const taskQueue = uniqueTaskQueue('replicas');
let api: RunwayTemporal;
const workers: WorkerProcess[] = [];
const journalDirs: string[] = [];
let liveSampler: { stop: () => Promise<LiveTally> } | undefined;

beforeAll(async () => {
  api = await clientFor(taskQueue);
});
afterAll(async () => {
  await liveSampler?.stop();
  for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  await api.close();
});

const CAP_SUM = Object.values(CAPS).reduce((sum, cap) => sum + cap, 0);
const LIVE: readonly string[] = ['PENDING', 'THROTTLED', 'RUNNING'];
const TIME_SCALE = 600;

/** When a live task will end, real time: RUNNING since + its generation time (a PENDING one: not soon). */
function endsAt(task: { history: Array<{ status: string; at: string }>; generationSeconds: number | null }): number {
  const running = task.history.find((step) => step.status === 'RUNNING');
  if (!running || task.generationSeconds === null) return Number.POSITIVE_INFINITY;
  return Date.parse(running.at) + (task.generationSeconds * 1000) / TIME_SCALE;
}

/** The Runway task ids a replica's submission journal holds (one file per generate activity). */
function journaledTaskIds(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => (JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { entry: { taskId: string } }).entry.taskId);
}

function campaign(): CampaignFileInput {
  const variants: CampaignFileInput['variants'] = [];
  for (let index = 1; index <= VARIANTS_PER_MODEL; index += 1) {
    variants.push({ id: `g${String(index).padStart(2, '0')}`, promptText: `A harbour crane at dawn, replica shot ${index}` });
    variants.push({
      id: `v${String(index).padStart(2, '0')}`,
      promptText: `A lighthouse beam over the sea, replica shot ${index}`,
      overrides: { model: 'veo3.1_fast', duration: 4 },
    });
  }
  return {
    campaignId: 'replicas',
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants,
    options: { pollInterval: 200, pollJitter: 0.1, maxPendingWait: '1h', maxRunningWait: '1h' },
  };
}

/** The most live tasks per model seen in ~100 ms samples of the simulator's own count, until stopped. */
function sampleLive(): { stop: () => Promise<LiveTally> } {
  const seen: LiveTally = { overall: 0, byModel: {} };
  let running = true;
  // Never rejects: a failed test leaves the loop running into the stack's teardown, where a refused
  // connection would be an unhandled rejection that ends jest before it writes its report.
  const loop = (async () => {
    while (running) {
      const stats = await simulatorLiveStats().catch(() => undefined);
      if (!stats) break;
      const { currentLive } = stats;
      seen.overall = Math.max(seen.overall, currentLive.overall);
      for (const [model, live] of Object.entries(currentLive.byModel)) seen.byModel[model] = Math.max(seen.byModel[model] ?? 0, live);
      await sleep(100);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

test('three replicas, one SIGKILLed mid-run: each model held to its workspace cap and reaching it, 0 THROTTLED, 1 POST per variant, every object intact', async () => {
  // 4 – 7 s real per generation: each model's cap stays saturated while the kill lands and is recovered, with
  // quiet moments (no create in flight, no task about to end) long enough to be seen on a loaded machine.
  await resetSimulator({
    timeScale: TIME_SCALE,
    concurrencyByModel: CAPS,
    generationSeconds: { kind: 'uniform', min: 2400, max: 4200 },
  });
  for (let index = 0; index < REPLICAS; index += 1) {
    const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), `replica-${index}-journal-`));
    journalDirs.push(journalDir);
    workers.push(spawnWorker(taskQueue, { SUBMISSION_JOURNAL_DIR: journalDir, GENERATION_WORKER_SLOTS: String(SLOTS_PER_REPLICA) }));
  }
  await Promise.all(workers.map((worker) => worker.ready));
  // Each replica read the workspace at start: its log says what the deployment may run.
  for (const worker of workers) {
    expect(worker.output()).toContain('"msg":"Runway workspace limits"');
    expect(worker.output()).toContain('"gen4.5":{"cap":3');
  }

  const input = campaign();
  const total = input.variants.length;
  const sampler = sampleLive();
  liveSampler = sampler;
  const startedAt = Date.now();
  const started = await api.startCampaign(input);

  // Killed mid-run, at a moment no replica can be POSTing: both caps full (nothing can be granted before a
  // task ends), every live task at least a second from its end, the newest create half a second old and
  // on its replica's journal (answered, journaled, heartbeated). A kill between Runway creating a task and
  // Temporal recording its heartbeat leaves the task known only to the dead replica's own journal: the
  // one duplicate a replica on another disk cannot prevent, and not what this test is about.
  const atKill = await pollUntil(
    'a mid-run moment with both caps full and no create in flight',
    async () => {
      const { tasks, submissions } = await simulatorStats();
      const now = Date.now();
      const live = tasks.filter((task) => LIVE.includes(task.status));
      const liveIds = new Set(live.map((task) => task.id));
      const journaled = journalDirs.map(journaledTaskIds);
      const livePerReplica = journaled.map((ids) => ids.filter((id) => liveIds.has(id)).length);
      const newestCreateAgo = Math.min(...tasks.map((task) => now - Date.parse(task.createdAt)));
      const soonestEnd = Math.min(...live.map((task) => endsAt(task) - now));
      const ready =
        live.length === CAP_SUM &&
        journaled.flat().length === submissions.total &&
        newestCreateAgo >= 500 &&
        soonestEnd >= 1_000 &&
        Math.max(...livePerReplica) >= 2;
      return { live: live.length, livePerReplica, ready };
    },
    (probe) => probe.ready,
    60_000,
    50,
  );
  const victim = atKill.livePerReplica.indexOf(Math.max(...atKill.livePerReplica));
  const killedAt = new Date().toISOString();
  workers[victim]!.child.kill('SIGKILL');
  expect((await workers[victim]!.exited).signal).toBe('SIGKILL');

  const result = await api.waitForResult(started.campaignId);
  const wallMs = Date.now() - startedAt;
  const sampled = await sampler.stop();
  const stats = await simulatorStats();

  // Figures for the deployment notes.
  process.stdout.write(
    `${JSON.stringify({
      replicas: REPLICAS,
      variants: total,
      caps: CAPS,
      liveAtKill: atKill.live,
      liveTasksOfKilledReplica: atKill.livePerReplica[victim],
      simulatorMaxLive: stats.maxLive,
      sampledMaxLive: sampled,
      posts: stats.submissions.total,
      throttled: stats.throttledCount,
      wallSeconds: wallMs / 1000,
    })}\n`,
  );
  // A duplicate names its creates against the kill, to tell a lost heartbeat from a second submission.
  const duplicated = stats.tasks.filter((task) => (stats.createsByPrompt[task.promptKey] ?? 0) > 1);
  if (duplicated.length > 0)
    process.stdout.write(
      `killed at ${killedAt}; duplicated creates: ${JSON.stringify(duplicated.map(({ id, promptKey, createdAt }) => ({ id, promptKey, createdAt })))}\n`,
    );

  for (const model of Object.keys(CAPS) as CappedModel[]) {
    // The simulator's true peak and the sampled one: never over the model's cap, and the cap is used.
    expect([model, stats.maxLive.byModel[model]]).toEqual([model, CAPS[model]]);
    expect([model, Math.min(sampled.byModel[model] ?? 0, CAPS[model])]).toEqual([model, sampled.byModel[model]]);
  }
  expect(stats.throttledCount).toBe(0);

  // Nothing submitted twice, across three processes and a kill.
  expect(stats.submissions.total).toBe(total);
  expect(stats.submissions.byModel).toEqual({ 'gen4.5': VARIANTS_PER_MODEL, 'veo3.1_fast': VARIANTS_PER_MODEL });
  const prompts = input.variants.map((variant) => variant.promptText!);
  expect(Object.keys(stats.createsByPrompt).sort()).toEqual([...prompts].sort());
  expect(Object.entries(stats.createsByPrompt).filter(([, creates]) => creates !== 1)).toEqual([]);

  // Every variant archived once, its object the bytes Runway made, as the result and the manifest record them.
  expect(result).toMatchObject({ total, archived: total, failed: 0 });
  const manifest = await readManifest(result.manifest.key);
  for (const outcome of result.variants) {
    const entry = manifest.variants.find((candidate) => candidate.variantId === outcome.variantId);
    const s3 = outcome.result!.s3;
    expect(entry?.s3).toEqual(s3);
    const stored = await objectSha256(s3.key);
    const task = stats.tasks.find((candidate) => candidate.id === outcome.result!.runwayTaskId);
    expect([outcome.variantId, stored.sha256, stored.bytes]).toEqual([outcome.variantId, s3.sha256, s3.bytes]);
    expect([outcome.variantId, stored.sha256]).toEqual([outcome.variantId, task?.outputSha256]);
    expect(s3.key.endsWith(`/${outcome.result!.runwayTaskId}.mp4`)).toBe(true);
  }
  // Credits are the simulator's bill.
  expect(result.credits).toBe(stats.credits.net);
}, 300_000);

function readManifest(key: string) {
  return readJsonObject<{ variants: Array<{ variantId: string; status: string; s3?: unknown }> }>(key);
}
