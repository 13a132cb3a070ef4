import path from 'node:path';
import { expectArchivedAsMade } from '../helpers/archived-as-made';
import { pollUntil } from '../helpers/poll';
import { endsAt, journaledTaskIds, LIVE, sampleLive, twoModelCampaign } from '../helpers/replicas';
import { startProductionUnderTest, type ProductionUnderTest } from './production-stack';

/**
 * test/reliability/replicas.test.ts on the production topology: three replicas of the worker on one queue of the
 * Temporal server on PostgreSQL, sharing one Runway workspace whose per-model caps differ. Only the lease pool holds
 * them (no ceiling set, more slots per replica than either cap); one replica is SIGKILLed mid-run.
 */
const CAPS = { 'gen4.5': 3, 'veo3.1_fast': 5 } as const;
type CappedModel = keyof typeof CAPS;
const CAP_SUM = Object.values(CAPS).reduce((sum, cap) => sum + cap, 0);
const REPLICAS = 3;
const SLOTS_PER_REPLICA = 8;
const VARIANTS_PER_MODEL = 10;
const TIME_SCALE = 600;
const taskQueue = 'production-replicas';
let production: ProductionUnderTest;
let liveSampler: ReturnType<typeof sampleLive> | undefined;

beforeAll(async () => {
  production = await startProductionUnderTest({
    name: 'replicas',
    taskQueue,
    workers: REPLICAS,
    workerEnv: { GENERATION_WORKER_SLOTS: String(SLOTS_PER_REPLICA) },
  });
}, 240_000);
afterAll(async () => {
  await liveSampler?.stop();
  await production?.stop();
});

test('three replicas on the production topology, one SIGKILLed mid-run: each model held to its cap, 0 THROTTLED, 1 POST per variant, every object intact, the work spread over the replicas', async () => {
  const { stack, api, simulator } = production;
  // 4 – 7 s real per generation: each model's cap stays saturated while the kill lands, with quiet moments long
  // enough to be seen on a loaded machine. The lease pool of this queue starts with the campaign, so it reads these caps.
  await simulator.reset({ timeScale: TIME_SCALE, concurrencyByModel: CAPS, generationSeconds: { kind: 'uniform', min: 2400, max: 4200 } });
  const identities = new Map(stack.workers.map((worker) => [worker.pid!, worker.name]));
  const replicaOf = (identity: string | null | undefined) => identities.get(Number(identity?.split('@')[0])) ?? `unknown ${identity}`;
  const journalDir = path.join(stack.productionDir, 'journal');

  const input = twoModelCampaign(`prod-replicas-${Date.now()}`, VARIANTS_PER_MODEL);
  const total = input.variants.length;
  const sampler = sampleLive(simulator.liveStats);
  liveSampler = sampler;
  const startedAt = Date.now();
  const started = await api.campaigns.start(input);

  // Killed mid-run at a moment no replica can be POSTing (both caps full, every live task a second from its end,
  // the newest create half a second old and journalled), the replica that holds the most generations in flight as
  // Temporal sees them (the pending activities' last worker identity).
  const atKill = await pollUntil(
    'a mid-run moment with both caps full and no create in flight',
    async () => {
      const holders: Record<string, number> = {};
      for await (const execution of api.client.workflow.list({
        query: `WorkloadId = '${input.campaignId}' AND WorkflowType = 'GenerationWorkflow' AND ExecutionStatus = 'Running'`,
      })) {
        const described = await api.client.workflow.getHandle(execution.workflowId).describe();
        for (const activity of described.raw.pendingActivities ?? [])
          if (activity.lastWorkerIdentity)
            holders[replicaOf(activity.lastWorkerIdentity)] = (holders[replicaOf(activity.lastWorkerIdentity)] ?? 0) + 1;
      }
      const { tasks, submissions } = await simulator.stats();
      const now = Date.now();
      const live = tasks.filter((task) => LIVE.includes(task.status));
      const newestCreateAgo = Math.min(...tasks.map((task) => now - Date.parse(task.createdAt)));
      const soonestEnd = Math.min(...live.map((task) => endsAt(task, TIME_SCALE) - now));
      const ready =
        live.length === CAP_SUM &&
        journaledTaskIds(journalDir).length === submissions.total &&
        newestCreateAgo >= 500 &&
        soonestEnd >= 1_000 &&
        Math.max(0, ...Object.values(holders)) >= 2;
      return { live: live.length, holders, ready };
    },
    (probe) => probe.ready,
    90_000,
    100,
  );
  const [victimName] = Object.entries(atKill.holders).sort(([, a], [, b]) => b - a)[0]!;
  const victim = stack.workers.find((worker) => worker.name === victimName)!;
  const exited = victim.whenExited();
  await victim.kill();
  expect((await exited).signal).toBe('SIGKILL');

  const result = await api.campaigns.waitForResult(started.campaignId);
  const sampled = await sampler.stop();
  const stats = await simulator.stats();

  // Which replica ran what: the identity of the worker that started each activity, as the videos' histories record it.
  const activitiesByReplica: Record<string, number> = {};
  for (const outcome of result.variants) {
    const history = await api.client.workflow.getHandle(outcome.workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) activitiesByReplica[replicaOf(identity)] = (activitiesByReplica[replicaOf(identity)] ?? 0) + 1;
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      replicas: REPLICAS,
      variants: total,
      caps: CAPS,
      killed: victimName,
      liveAtKill: atKill.live,
      activitiesInFlightAtKill: atKill.holders,
      activitiesByReplica,
      simulatorMaxLive: stats.maxLive,
      sampledMaxLive: sampled,
      posts: stats.submissions.total,
      throttled: stats.throttledCount,
      wallSeconds: (Date.now() - startedAt) / 1000,
    })}\n`,
  );

  // Each model's live tasks never over its cap (the simulator's own peak and the sampled one), and the cap used.
  for (const model of Object.keys(CAPS) as CappedModel[]) {
    expect([model, stats.maxLive.byModel[model]]).toEqual([model, CAPS[model]]);
    expect([model, Math.min(sampled.byModel[model] ?? 0, CAPS[model])]).toEqual([model, sampled.byModel[model]]);
  }
  expect(stats.throttledCount).toBe(0);

  // Nothing submitted twice, across three replicas and a kill.
  expect(stats.submissions.total).toBe(total);
  expect(Object.entries(stats.createsByPrompt).filter(([, creates]) => creates !== 1)).toEqual([]);
  expect(Object.keys(stats.createsByPrompt).sort()).toEqual(input.variants.map((variant) => variant.promptText!).sort());

  // Every variant archived, its object the bytes Runway made.
  expect(result).toMatchObject({ total, archived: total, failed: 0 });
  await expectArchivedAsMade(api.options.s3, stack.env.S3_BUCKET, result.variants, stats.tasks);
  expect(result.credits).toBe(stats.credits.net);

  // The work really spread: the survivors' activities are in the histories (an attempt cut short by the kill is
  // recorded with the identity of the replica whose retry finished it), and the killed one held generations at its death.
  expect(Object.keys(activitiesByReplica).length).toBeGreaterThanOrEqual(2);
  expect(atKill.holders[victimName]).toBeGreaterThanOrEqual(2);
  expect([...new Set([...Object.keys(activitiesByReplica), ...Object.keys(atKill.holders)])].sort()).toEqual(
    stack.workers.map((worker) => worker.name).sort(),
  );
}, 300_000);
