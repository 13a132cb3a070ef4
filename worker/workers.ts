import type { DataConverter, WorkerDeploymentVersion } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createDefaultQueueActivities, createGenerationActivities, type ActivityDeps } from '../activities';
import { GENERATION_TASK_QUEUE_SUFFIX } from '../schemas/task-queues';
import { versionedWorkerOptions } from './versioning';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /**
   * The per-process bound: this process runs at most this many generate activities at once. The
   * workspace's caps (per model, across every replica) are the lease pool's, not this number.
   */
  generationWorkerSlots: number;
  defaultQueueConcurrency?: number;
  deps: ActivityDeps;
  /**
   * The product's data converter (infra/data-converter.ts) when payloads are encrypted; undefined: the SDK
   * defaults. A pre-built workflowBundle must then be bundled with the same failureConverterPath.
   */
  dataConverter?: DataConverter;
  /** Pre-built workflow bundle (tests build it once); otherwise bundled from `workflowsPath`, by default workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  workflowsPath?: string;
  /** The Worker Deployment version both workers poll as; undefined: unversioned. */
  deployment?: WorkerDeploymentVersion | undefined;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

export function generationTaskQueue(taskQueue: string): string {
  return `${taskQueue}${GENERATION_TASK_QUEUE_SUFFIX}`;
}

/**
 * Two workers in one process: the default queue (workflows and short activities) and the generation
 * queue, whose slot count bounds this process. Runway's silent queue is kept out by the lease pool,
 * whose per-model caps hold across every replica on the task queue.
 */
export async function createWorkers(setup: WorkerSetup): Promise<{ defaultWorker: Worker; generationWorker: Worker }> {
  const common = {
    connection: setup.connection,
    namespace: setup.namespace,
    shutdownGraceTime: setup.shutdownGraceTime ?? '30s',
    ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
    // Both queues belong to the version: a pinned workflow's activities run on the code it started on.
    ...(setup.deployment ? versionedWorkerOptions(setup.deployment) : {}),
  };
  const workflowSource = setup.workflowBundle
    ? { workflowBundle: setup.workflowBundle }
    : { workflowsPath: setup.workflowsPath ?? require.resolve('../workflows') };
  const defaultWorker = await Worker.create({
    ...common,
    ...workflowSource,
    taskQueue: setup.taskQueue,
    activities: createDefaultQueueActivities(setup.deps),
    maxConcurrentActivityTaskExecutions: setup.defaultQueueConcurrency ?? 100,
  });
  const generationWorker = await Worker.create({
    ...common,
    taskQueue: generationTaskQueue(setup.taskQueue),
    activities: createGenerationActivities(setup.deps),
    maxConcurrentActivityTaskExecutions: setup.generationWorkerSlots,
  });
  return { defaultWorker, generationWorker };
}

/** Run both until either stops; a shutdown of one shuts down the other. */
export async function runWorkers(workers: { defaultWorker: Worker; generationWorker: Worker }): Promise<void> {
  const stopBoth = () => {
    for (const worker of [workers.defaultWorker, workers.generationWorker]) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  await Promise.all([workers.defaultWorker.run().finally(stopBoth), workers.generationWorker.run().finally(stopBoth)]);
}
