import type { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter, WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { RunwayTemporal } from '../client';
import { createWorkers, runWorkers } from '../worker/workers';

/** Both workers of a deployment running in this process, plus the typed client on the same task queue. */
export interface InProcessProduct {
  api: RunwayTemporal;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

export interface InProcessSetup {
  address: string;
  namespace: string;
  taskQueue: string;
  /** This process's generation worker slots, and the deployment's ceiling under the workspace's caps unless deps set one. */
  cap: number;
  deps: ActivityDeps;
  /** Bundled with the converter's failureConverterPath when dataConverter is set (see workflowBundle in product.ts). */
  workflowBundle: WorkerOptions['workflowBundle'];
  /** The product's data converter (payload encryption) for the workers and the client; undefined: the SDK defaults. */
  dataConverter?: DataConverter | undefined;
  s3: S3Client;
  bucket: string;
  prefix: string;
  /** The Worker Deployment version both workers poll as; undefined: unversioned. */
  deployment?: WorkerDeploymentVersion | undefined;
}

/** What tests and the benchmark run: the product as `npm run worker` deploys it, without a child process. */
export async function startInProcessProduct(setup: InProcessSetup): Promise<InProcessProduct> {
  const connection = await NativeConnection.connect({ address: setup.address });
  const workers = await createWorkers({
    connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    generationWorkerSlots: setup.cap,
    deps: { concurrencyCeiling: setup.cap, ...setup.deps },
    workflowBundle: setup.workflowBundle,
    shutdownGraceTime: '2s',
    deployment: setup.deployment,
    ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
  });
  const running = runWorkers(workers);
  const client = new Client({
    connection: await Connection.connect({ address: setup.address }),
    namespace: setup.namespace,
    ...(setup.dataConverter ? { dataConverter: setup.dataConverter } : {}),
  });
  const api = new RunwayTemporal({ client, s3: setup.s3, taskQueue: setup.taskQueue, bucket: setup.bucket, prefix: setup.prefix });
  return {
    api,
    client,
    taskQueue: setup.taskQueue,
    async stop() {
      workers.defaultWorker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await api.close();
    },
  };
}

/** A logger for bundling workflow code that says nothing (webpack's progress would drown test and bench output). */
export const quietLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  log: () => undefined,
};
