import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { decodeVersioningBehavior } from '@temporalio/common';
import { routeToVersion } from '../../infra/worker-deployment';
import { leasePoolWorkflowId } from '../../workflows/messages';
import { brollInput } from '../helpers/broll-input';
import { pollUntil } from '../helpers/poll';
import { startProduct, uniqueTaskQueue, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

/**
 * Worker Versioning keeps one lease pool: v1 and v2 workers of one deployment, on one task queue, each running a
 * B-roll project pinned to its own version, ask the same pool (auto-upgrade, so it follows the current version),
 * and the workspace's per-model cap holds across both.
 */
const CAP = 2;
/** v1's project has an odd count: its last generation runs beside one of v2's, both under the one cap. */
const SEGMENTS = { first: 5, second: 4 };
const deploymentName = `caps-${randomUUID().slice(0, 8)}`;
const taskQueue = uniqueTaskQueue('versions');
const products: RunningProduct[] = [];

afterAll(async () => {
  for (const product of products) await product.stop();
});

async function deploy(buildId: string): Promise<RunningProduct> {
  const product = await startProduct({ name: 'versions', taskQueue, cap: 10, deployment: { deploymentName, buildId } });
  products.push(product);
  await routeToVersion(product.client, { deploymentName, buildId });
  return product;
}

/** The version a run is on, as Temporal records it: its deployment version's build id and its behaviour. */
async function versionOf(client: Client, workflowId: string): Promise<{ buildId: string | undefined; behavior: unknown }> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const info = raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId ?? undefined, behavior: decodeVersioningBehavior(info?.behavior) };
}

test('projects pinned to v1 and to v2 share one lease pool and one per-model cap; the pool follows v2', async () => {
  // 4 s real per generation: v1's project (three rounds of leases) still waits for leases when v2's asks.
  await resetSimulator({ concurrencyByModel: { 'gen4.5': CAP }, generationSeconds: { kind: 'fixed', seconds: 2400 } });
  const prompts = (project: keyof typeof SEGMENTS) =>
    Array.from({ length: SEGMENTS[project] }, (_, index) => `${project} harbour, shot ${index + 1}`);

  const v1 = await deploy('v1');
  const first = await v1.api.broll.startPlanned(brollInput(`${deploymentName}-a`, prompts('first')));
  await pollUntil(
    'v1 project generating',
    () => simulatorStats(),
    (stats) => stats.submissions.total >= CAP,
  );

  const v2 = await deploy('v2');
  const second = await v2.api.broll.startPlanned(brollInput(`${deploymentName}-b`, prompts('second')));
  for (const project of [first, second])
    await pollUntil(
      `${project.projectId} awaiting review`,
      () => v2.api.broll.progress(project.projectId),
      (progress) => progress.counts['awaiting-review'] === progress.items.length,
      90_000,
    );

  const stats = await simulatorStats();
  expect(stats.maxLive.byModel['gen4.5']).toBe(CAP);
  expect(stats.throttledCount).toBe(0);
  expect(stats.submissions.total).toBe(SEGMENTS.first + SEGMENTS.second);
  expect(new Set(stats.tasks.map((task) => task.promptText)).size).toBe(SEGMENTS.first + SEGMENTS.second);
  // A v1 generation and a v2 generation were live at the same moment, each on one of the cap's two leases.
  const spans = (project: string) =>
    stats.tasks
      .filter((task) => task.promptText?.startsWith(project))
      .map((task) => ({ from: Date.parse(task.createdAt), to: Date.parse(task.history.find((step) => step.status === 'SUCCEEDED')!.at) }));
  const overlapping = spans('first').some((v1Task) => spans('second').some((v2Task) => v2Task.from < v1Task.to && v1Task.from < v2Task.to));
  expect(overlapping).toBe(true);

  const pinned = 'PINNED';
  expect(await versionOf(v2.client, first.workflowId)).toEqual({ buildId: 'v1', behavior: pinned });
  expect(await versionOf(v2.client, `${first.projectId}--s05`)).toEqual({ buildId: 'v1', behavior: pinned });
  expect(await versionOf(v2.client, second.workflowId)).toEqual({ buildId: 'v2', behavior: pinned });
  expect(await versionOf(v2.client, `${second.projectId}--s01`)).toEqual({ buildId: 'v2', behavior: pinned });
  // One pool for the queue, whichever version asked; it moved to the current version.
  expect(await versionOf(v2.client, leasePoolWorkflowId(taskQueue))).toEqual({
    buildId: 'v2',
    behavior: 'AUTO_UPGRADE',
  });
}, 180_000);
