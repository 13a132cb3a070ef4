import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { RunwayClient } from '../../activities/runway/client';
import { TermListModerator } from '../../activities/moderation';
import { noopMetrics } from '../../activities/metrics';
import type { ActivityDeps } from '../../activities';
import { RunwayTemporal } from '../../client';
import { createS3Client, s3TargetFromEnv } from '../../infra/s3';
import { FAILURE_CONVERTER_PATH, productDataConverter } from '../../infra/data-converter';
import type { CodecKeys } from '../../infra/payload-codec';
import { quietLogger, startInProcessProduct, type InProcessProduct } from '../../scripts/in-process-product';
import { testStack } from './stack';
import { TEST_POLL_FLOOR_MS } from './simulator-admin';

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;
let encryptedBundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * The workflows bundled once per test file (bundling takes seconds). `encrypted`: with the failure converter
 * that moves failure messages into the (encrypted) payload, as a worker with codec keys bundles them.
 */
export function workflowBundle(options: { encrypted?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  if (options.encrypted) {
    encryptedBundlePromise ??= bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: quietLogger,
      failureConverterPath: FAILURE_CONVERTER_PATH,
    });
    return encryptedBundlePromise;
  }
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundlePromise;
}

/** A workflow's own history, fetched from the server, replays on today's workflow code (no nondeterminism). */
export async function replayHistory(client: Client, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
}

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
    s3: createS3Client(s3TargetFromEnv(stackS3Env())),
    moderator: new TermListModerator(),
    metrics: noopMetrics,
    pollFloorMs: TEST_POLL_FLOOR_MS,
    ...overrides,
  };
}

export type RunningProduct = InProcessProduct;

/**
 * Both workers of the product in this process, plus the typed client, on a queue of their own.
 * `codecKeys`: payloads encrypted as with PAYLOAD_CODEC_KEYS; `taskQueue`: rejoin a queue (a restart);
 * `deployment`: versioned workers, as with TEMPORAL_WORKER_DEPLOYMENT_NAME.
 */
export async function startProduct(options: {
  name: string;
  cap?: number;
  deps?: Partial<ActivityDeps>;
  codecKeys?: CodecKeys;
  taskQueue?: string;
  deployment?: WorkerDeploymentVersion;
}): Promise<RunningProduct> {
  const stack = testStack();
  const s3Env = stackS3Env();
  const dataConverter = productDataConverter(options.codecKeys);
  return startInProcessProduct({
    address: stack.temporalAddress,
    namespace: stack.namespace,
    taskQueue: options.taskQueue ?? uniqueTaskQueue(options.name),
    cap: options.cap ?? 10,
    deps: testActivityDeps(options.deps),
    workflowBundle: await workflowBundle({ encrypted: dataConverter !== undefined }),
    dataConverter,
    s3: createS3Client(s3TargetFromEnv(s3Env)),
    bucket: s3Env.S3_BUCKET,
    prefix: '',
    deployment: options.deployment,
  });
}

export const FAST_OPTIONS = {
  pollInterval: 100,
  pollJitter: 0.1,
  maxPendingWait: '20s',
  maxRunningWait: '20s',
  maxSubmissions: 3,
} as const;

/** One gen4.5 text-to-video, 1280:720 for 5 s, at test speed: the plain video a test of one behaviour starts. */
export function startTextVideo(api: RunwayTemporal, videoId: string, promptText: string) {
  return api.generations.startVideo({ videoId, model: 'gen4.5', promptText, ratio: '1280:720', duration: 5, options: FAST_OPTIONS });
}

/** The typed client alone, on the test stack, for a queue that a real worker process serves (with its codec keys, if any). */
export async function clientFor(taskQueue: string, options: { codecKeys?: CodecKeys } = {}): Promise<RunwayTemporal> {
  const stack = testStack();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const s3Env = stackS3Env();
  const dataConverter = productDataConverter(options.codecKeys);
  return new RunwayTemporal({
    client: new Client({ connection, namespace: stack.namespace, ...(dataConverter ? { dataConverter } : {}) }),
    s3: createS3Client(s3TargetFromEnv(s3Env)),
    taskQueue,
    bucket: s3Env.S3_BUCKET,
    prefix: '',
  });
}
