import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { RunwayClient } from '../../activities/runway/client';
import { TermListModerator } from '../../activities/moderation';
import { noopMetrics } from '../../activities/metrics';
import type { ActivityDeps } from '../../activities';
import { RunwayTemporal } from '../../client';
import { createS3Client } from '../../worker/s3-client';
import { createWorkers, runWorkers } from '../../worker/workers';
import { testStack } from './stack';

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflows bundled once per test file (bundling takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundlePromise;
}

const quietLogger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, log: () => undefined };

export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

/** The S3 environment of the test stack, as the worker and the client read it. */
export function stackS3Env() {
  const { s3 } = testStack();
  return { S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_PREFIX: '', AWS_REGION: s3.region, S3_FORCE_PATH_STYLE: 'true' as const };
}

/** Credentials for the AWS SDK's default chain, as the worker process would have them. */
export function exportAwsCredentials(): void {
  const { s3 } = testStack();
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  process.env.AWS_REGION = s3.region;
}

export function testActivityDeps(overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  exportAwsCredentials();
  const stack = testStack();
  return {
    runway: new RunwayClient({ baseUrl: stack.runwayBaseUrl, apiSecret: stack.runwayApiSecret, requestTimeoutMs: 10_000 }),
    s3: createS3Client(stackS3Env()),
    moderator: new TermListModerator(),
    metrics: noopMetrics,
    ...overrides,
  };
}

export interface RunningProduct {
  api: RunwayTemporal;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

/** Both workers of the product in this process, plus the typed client, on a queue of their own. */
export async function startProduct(options: { name: string; cap?: number; deps?: Partial<ActivityDeps> }): Promise<RunningProduct> {
  const stack = testStack();
  const taskQueue = uniqueTaskQueue(options.name);
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const workers = await createWorkers({
    connection,
    namespace: stack.namespace,
    taskQueue,
    maxConcurrentGenerations: options.cap ?? 10,
    deps: testActivityDeps(options.deps),
    workflowBundle: await workflowBundle(),
    shutdownGraceTime: '2s',
  });
  const running = runWorkers(workers);
  const clientConnection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection: clientConnection, namespace: stack.namespace });
  const s3Env = stackS3Env();
  const api = new RunwayTemporal({ client, s3: createS3Client(s3Env), taskQueue, bucket: s3Env.S3_BUCKET, prefix: '' });
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

export const FAST_OPTIONS = { pollInterval: 100, pollJitter: 0.1, maxPendingWait: '20s', maxRunningWait: '20s', maxSubmissions: 3 } as const;
