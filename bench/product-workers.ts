import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TermListModerator } from '../activities/moderation';
import { noopMetrics } from '../activities/metrics';
import { RunwayClient } from '../activities/runway/client';
import type { ActivityDeps } from '../activities';
import type { DataConverter } from '@temporalio/common';
import { bundleConverterOptions } from '../infra/data-converter';
import { quietLogger, startInProcessProduct, type InProcessProduct } from '../scripts/in-process-product';
import type { BenchStack } from './bench-stack';
import { pollFloorAtTimeScale } from '../schemas/options';
import { TIME_SCALE } from './bench-config';

/** This project as a deployment runs it: both workers in this process, plus the typed client. */
export type RunningProduct = InProcessProduct;

/** Workers log at WARN (the product's INFO lines would drown the table). Call once, before any connection. */
export function installBenchRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
  });
}

/** Bundled once, before anything is measured (bundling costs seconds of CPU); with the converter's failure converter when encrypting. */
export function bundleProductWorkflows(dataConverter?: DataConverter): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quietLogger,
    ...bundleConverterOptions(dataConverter),
  });
}

/** `timeScale`: the simulator's clock the product runs against, so Runway's 5 s poll floor is 5 simulated seconds. */
export function productActivityDeps(bench: BenchStack, timeScale: number = TIME_SCALE): ActivityDeps {
  return {
    runway: new RunwayClient({ baseUrl: bench.runwayBaseUrl, apiSecret: bench.runwayApiSecret, requestTimeoutMs: 30_000 }),
    s3: bench.newS3Client(),
    moderator: new TermListModerator(),
    metrics: noopMetrics,
    pollFloorMs: pollFloorAtTimeScale(timeScale),
    // As the worker runs by default: every new task journalled (fsynced) before its heartbeat.
    submissionJournalDir: path.join(bench.stack.dataDir, 'submissions'),
  };
}

export function startProduct(
  bench: BenchStack,
  options: { name: string; cap: number; bundle: WorkflowBundleWithSourceMap; dataConverter?: DataConverter; timeScale?: number },
): Promise<RunningProduct> {
  return startInProcessProduct({
    address: bench.stack.env.TEMPORAL_ADDRESS,
    namespace: bench.stack.env.TEMPORAL_NAMESPACE,
    taskQueue: `bench-${options.name}-${randomUUID().slice(0, 8)}`,
    cap: options.cap,
    deps: productActivityDeps(bench, options.timeScale),
    workflowBundle: options.bundle,
    dataConverter: options.dataConverter,
    s3: bench.newS3Client(),
    bucket: bench.bucket,
    prefix: 'product',
  });
}
