import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { decodeVersioningBehavior } from '@temporalio/common';
import type { BrollProgress } from '../../schemas';
import { readWorkloadFile } from '../../client/workload-file';
import { createS3Client } from '../../infra/s3';
import { describeDeployment } from '../../infra/worker-deployment';
import { productionDeploymentName } from '../../stack/production/start-production-stack';
import { leasePoolWorkflowId } from '../../workflows/messages';
import { parseEdl } from '../helpers/broll-input';
import { pollUntil } from '../helpers/poll';
import { FAST_OPTIONS } from '../helpers/product';
import { runNode, type ProcessRun } from '../helpers/worker-process';
import { startProductionUnderTest, type ProductionUnderTest } from './production-stack';

/**
 * What docs/upgrades.md describes, on the production topology: a B-roll project
 * awaiting review on v1 workers; v2 workers whose BrollWorkflow takes a new first step (test/fixtures/broll-v2,
 * which v1's histories do not replay on) deployed beside them and made current with `npm run deploy`; the editor's
 * decisions reach the v1 project, which completes on v1 with its edit list, while a new project starts on v2; the
 * lease pool keeps both under one cap; v1 reports drained and its workers retire; v2 alone finishes the rest.
 */
const taskQueue = 'production-upgrade';
const CAPS = { 'gen4.5': 2 } as const;
const repoRoot = path.resolve(__dirname, '..', '..');
let production: ProductionUnderTest;

beforeAll(async () => {
  production = await startProductionUnderTest({
    name: 'upgrade',
    taskQueue,
    workers: 2,
    workerEnv: { TEMPORAL_WORKER_BUILD_ID: 'v1' },
    // A version's drainage is checked every 3 minutes by default; the test's cluster checks every 2 s.
    dynamicConfig: {
      'matching.wv.VersionDrainageStatusRefreshInterval': '2s',
      'matching.wv.VersionDrainageStatusVisibilityGracePeriod': '3s',
    },
  });
}, 300_000);
afterAll(async () => {
  await production?.stop();
});

/** `npm run deploy -- …` as an operator runs it: the stack's stack.env found through STACK_DATA_DIR. */
function deploy(args: string[]): Promise<ProcessRun> {
  return runNode(['--import', 'tsx', 'scripts/deploy.ts', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, STACK_DATA_DIR: production.stack.dataDir },
  });
}

/** The shipped B-roll example under another project id, at test speed; `style` changes every prompt. */
async function startExample(projectId: string, style?: string) {
  const { raw, baseDir } = await readWorkloadFile(path.join(repoRoot, 'examples', 'broll', 'harbour-town.yaml'), 'example');
  const example = raw as { brief: Record<string, unknown>; options: Record<string, unknown> };
  const input = {
    ...example,
    projectId,
    // One take a segment: this test is about the release, not the takes.
    takesPerSegment: 1,
    brief: { ...example.brief, ...(style ? { style } : {}) },
    options: { ...example.options, ...FAST_OPTIONS },
  };
  return production.api.broll.start(input as never, baseDir);
}

function allAwaitingReview(projectId: string): Promise<BrollProgress> {
  return pollUntil(
    `${projectId}: every segment awaiting review`,
    () => production.api.broll.progress(projectId),
    (progress) => progress.counts.generating === 0 && progress.pendingDecisions.length === progress.items.length,
    120_000,
    500,
  );
}

async function versionOf(client: Client, workflowId: string) {
  const { raw, memo } = await client.workflow.getHandle(workflowId).describe();
  const info = raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId, behavior: decodeVersioningBehavior(info?.behavior), memo: memo ?? {} };
}

async function readObject(key: string): Promise<string> {
  const s3 = createS3Client(production.stack.s3.connection);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: production.stack.env.S3_BUCKET, Key: key }));
    return await object.Body!.transformToString();
  } finally {
    s3.destroy();
  }
}

/** Every Runway task a finished project archived: the takes of its current rounds and of the rounds its editor rejected. */
function taskIdsOf(progress: BrollProgress): string[] {
  return progress.items.flatMap((item) =>
    [...item.takes, ...item.rejectedRounds.flatMap((round) => round.takes)].map((take) => take.output!.runwayTaskId),
  );
}

test('a project awaiting review on v1 completes on v1 after v2 is made current; a new one runs on v2; caps hold; v1 drains and retires', async () => {
  const { stack, api, simulator } = production;
  const client = api.client;
  // 2 s real per generation: the v1 project's new round and the v2 project ask for leases at the same time.
  await simulator.reset({ timeScale: 600, concurrencyByModel: CAPS, generationSeconds: { kind: 'fixed', seconds: 1200 } });
  const v1Replicas = [...stack.workers];
  expect((await describeDeployment(client, productionDeploymentName))?.current).toBe('v1');

  const onV1 = await startExample('harbour-v1');
  const reviewed = await allAwaitingReview(onV1.projectId);

  // v2 deployed beside v1, then made current: new work goes to v2, pinned work stays where it started.
  await stack.addWorker({ TEMPORAL_WORKER_BUILD_ID: 'v2' }, { entry: 'test/fixtures/broll-v2/worker.ts' });
  await stack.addWorker({ TEMPORAL_WORKER_BUILD_ID: 'v2' }, { entry: 'test/fixtures/broll-v2/worker.ts' });
  const routed = await deploy(['--build-id', 'v2']);
  expect(routed).toMatchObject({ code: 0 });
  expect(routed.stdout).toMatch(/current v2/);

  // The editor rejects one clip of the v1 project (a new round, on v1) while a new project starts (on v2).
  const rejected = reviewed.items[1]!.key;
  const newRound = (
    await api.broll.reject(onV1.projectId, rejected, 'Women salting herring on a wooden quay, 1970s 16 mm film')
  ).items.find((item) => item.key === rejected)!;
  const onV2 = await startExample('harbour-v2', 'early 1980s colour film, steady tripod shots, documentary footage after the release');

  await allAwaitingReview(onV1.projectId);
  await api.broll.approve(onV1.projectId, 'all');
  const v1Progress = await api.broll.progress(onV1.projectId);
  const v1Result = await api.broll.finalize(onV1.projectId);
  expect(v1Result).toMatchObject({ projectId: 'harbour-v1', state: 'finalized', missing: [] });
  const edl = parseEdl(await readObject(v1Result.editList.edlKey));
  expect(edl.events).toHaveLength(reviewed.items.length);
  expect(v1Result.entries.find((entry) => entry.segmentId === rejected)?.round).toBe(2);

  // The v1 project and its new round ran on v1, without v2's new step; the new project on v2, with it.
  expect(await versionOf(client, onV1.workflowId)).toMatchObject({ buildId: 'v1', behavior: 'PINNED', memo: {} });
  expect(await versionOf(client, newRound.takes[0]!.generationId)).toMatchObject({ buildId: 'v1', behavior: 'PINNED' });
  expect(await versionOf(client, onV2.workflowId)).toMatchObject({ buildId: 'v2', behavior: 'PINNED', memo: { brollRelease: 'v2' } });
  await allAwaitingReview(onV2.projectId);
  // One lease pool for the queue, now on v2.
  expect(await versionOf(client, leasePoolWorkflowId(taskQueue))).toMatchObject({ buildId: 'v2', behavior: 'AUTO_UPGRADE' });

  // v1 has no open pinned workflow: the deployment reports it drained, and its workers retire.
  const drained = await deploy(['--wait-drained', 'v1', '--timeout', '2m']);
  expect(drained).toMatchObject({ code: 0 });
  const status = await deploy(['--status', '--json']);
  const view = JSON.parse(status.stdout) as { current: string; versions: Array<{ buildId: string; status: string }> };
  expect(view.current).toBe('v2');
  expect(view.versions).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ buildId: 'v1', status: 'drained' }),
      expect.objectContaining({ buildId: 'v2', status: 'current' }),
    ]),
  );
  await Promise.all(v1Replicas.map((replica) => replica.stop()));

  // v2 alone finishes the new project.
  await api.broll.approve(onV2.projectId, 'all');
  const v2Progress = await api.broll.progress(onV2.projectId);
  const v2Result = await api.broll.finalize(onV2.projectId);
  expect(v2Result).toMatchObject({ projectId: 'harbour-v2', state: 'finalized', missing: [] });

  // Through the switch: each model within its cap, nothing parked THROTTLED, every POST once and none lost.
  const stats = await simulator.stats();
  expect(stats.maxLive.byModel['gen4.5']).toBe(CAPS['gen4.5']);
  expect(stats.throttledCount).toBe(0);
  const generations = 2 * reviewed.items.length + 1;
  expect(stats.submissions.total).toBe(generations);
  expect(new Set(stats.tasks.map((task) => task.promptText)).size).toBe(generations);
  expect([...taskIdsOf(v1Progress), ...taskIdsOf(v2Progress)].sort()).toEqual(stats.tasks.map((task) => task.id).sort());
}, 600_000);
