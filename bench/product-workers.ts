import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TermListModerator } from '../activities/moderation';
import { noopMetrics } from '../activities/metrics';
import { RunwayClient } from '../activities/runway/client';
import type { ActivityDeps } from '../activities';
import { RunwayTemporal } from '../client';
import { createWorkers, runWorkers } from '../worker/workers';
import type { BenchStack } from './bench-stack';

/** This project as a deployment runs it: both workers in this process, plus the typed client. */
export interface RunningProduct {
  api: RunwayTemporal;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

const silent = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, log: () => undefined };

/** Workers log at WARN (the product's INFO lines would drown the table). Call once, before any connection. */
export function installBenchRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
  });
}

/** Bundled once, before anything is measured (bundling costs seconds of CPU). */
export function bundleProductWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: silent });
}

export function productActivityDeps(bench: BenchStack): ActivityDeps {
  return {
    runway: new RunwayClient({ baseUrl: bench.runwayBaseUrl, apiSecret: bench.runwayApiSecret, requestTimeoutMs: 30_000 }),
    s3: bench.newS3Client(),
    moderator: new TermListModerator(),
    metrics: noopMetrics,
  };
}

export async function startProduct(bench: BenchStack, options: { name: string; cap: number; bundle: WorkflowBundleWithSourceMap }): Promise<RunningProduct> {
  const address = bench.stack.env.TEMPORAL_ADDRESS;
  const namespace = bench.stack.env.TEMPORAL_NAMESPACE;
  const taskQueue = `bench-${options.name}-${randomUUID().slice(0, 8)}`;
  const connection = await NativeConnection.connect({ address });
  const workers = await createWorkers({
    connection,
    namespace,
    taskQueue,
    maxConcurrentGenerations: options.cap,
    deps: productActivityDeps(bench),
    workflowBundle: options.bundle,
    shutdownGraceTime: '2s',
  });
  const running = runWorkers(workers);
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const api = new RunwayTemporal({ client, s3: bench.newS3Client(), taskQueue, bucket: bench.bucket, prefix: 'product' });
  return {
    api,
    client,
    taskQueue,
    async stop() {
      workers.defaultWorker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await api.close();
    },
  };
}
