import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunwayTemporal } from '../../client';
import { clientFor, uniqueTaskQueue } from '../helpers/product';
import { pollUntil } from '../helpers/poll';
import { objectSha256, readJsonObject } from '../helpers/s3-object';
import { resetSimulator, simulatorLiveStats, simulatorStats } from '../helpers/simulator-admin';
import { endsAt, journaledTaskIds, LIVE, sampleLive, twoModelCampaign } from '../helpers/replicas';
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
let liveSampler: ReturnType<typeof sampleLive> | undefined;
const journalDirs: string[] = [];

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
const TIME_SCALE = 600;

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

  const input = twoModelCampaign('replicas', VARIANTS_PER_MODEL);
  const total = input.variants.length;
  const sampler = sampleLive(simulatorLiveStats);
  liveSampler = sampler;
  const startedAt = Date.now();
  const started = await api.campaigns.start(input);

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
      const soonestEnd = Math.min(...live.map((task) => endsAt(task, TIME_SCALE) - now));
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

  const result = await api.campaigns.waitForResult(started.campaignId);
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
