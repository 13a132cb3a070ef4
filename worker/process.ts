import { loadStackEnv } from '../infra/stack-env';
import { temporalDataConverter } from '../infra/temporal';
import { parseEnv, workerEnvSchema } from '../schemas/env';
import { activityDepsFromEnv } from './activity-deps';
import { installRuntime } from './runtime';
import { connectWorker } from './temporal-connection';
import { createWorkers, generationTaskQueue, runWorkers } from './workers';
import { versioningLogEntry, workerDeploymentVersion } from './versioning';
import { announceWorkspaceLimits } from './workspace-limits';

/** Generate activities one process runs at once when neither GENERATION_WORKER_SLOTS nor a ceiling says. */
const DEFAULT_GENERATION_WORKER_SLOTS = 20;

/**
 * The worker process: both workers on the env's task queue, until SIGINT/SIGTERM. `workflowsPath`: another
 * workflow module than workflows/ (a test's changed version of a workflow, deployed as a new build).
 */
export async function runWorkerProcess(options: { workflowsPath?: string } = {}): Promise<void> {
  loadStackEnv();
  const env = parseEnv(workerEnvSchema, process.env);
  const deployment = workerDeploymentVersion(env);
  installRuntime(env);
  const dataConverter = temporalDataConverter(env);
  const connection = await connectWorker(env);
  const deps = activityDepsFromEnv(env);
  const generationWorkerSlots = env.GENERATION_WORKER_SLOTS ?? env.RUNWAY_MAX_CONCURRENCY ?? DEFAULT_GENERATION_WORKER_SLOTS;
  const workers = await createWorkers({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TASK_QUEUE,
    generationWorkerSlots,
    defaultQueueConcurrency: env.DEFAULT_QUEUE_CONCURRENCY,
    deps,
    shutdownGraceTime: env.WORKER_SHUTDOWN_GRACE_MS,
    ...(dataConverter ? { dataConverter } : {}),
    ...(options.workflowsPath ? { workflowsPath: options.workflowsPath } : {}),
    deployment,
  });
  const ready = {
    msg: 'worker ready',
    taskQueue: env.TASK_QUEUE,
    generationTaskQueue: generationTaskQueue(env.TASK_QUEUE),
    generationWorkerSlots,
    concurrencyCeiling: env.RUNWAY_MAX_CONCURRENCY ?? 'none (the workspace caps)',
    runwayBaseUrl: env.RUNWAYML_BASE_URL,
    metrics: env.METRICS_PORT > 0 ? `http://localhost:${env.METRICS_PORT}/metrics` : 'off',
    payloadEncryption: dataConverter ? 'on' : 'off',
    ...(await versioningLogEntry(connection, env.TEMPORAL_NAMESPACE, deployment)),
  };
  const log = (entry: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', ...entry })}\n`);
  await announceWorkspaceLimits({
    runway: deps.runway,
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TASK_QUEUE,
    dataConverter,
    log,
  });
  log(ready);
  // Runtime.install registers SIGINT/SIGTERM: both workers drain (shutdownGraceTime) and run() resolves.
  await runWorkers(workers);
  await connection.close();
}

/** Runs a worker process to its end and exits with its status. */
export function exitWhenDone(run: Promise<void>): void {
  run.then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
