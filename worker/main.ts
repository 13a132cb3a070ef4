import { loadStackEnv } from '../infra/stack-env';
import { parseEnv, workerEnvSchema } from '../schemas/env';
import { activityDepsFromEnv } from './activity-deps';
import { installRuntime } from './runtime';
import { connectWorker } from './temporal-connection';
import { createWorkers, generationTaskQueue, runWorkers } from './workers';

async function main(): Promise<void> {
  loadStackEnv();
  const env = parseEnv(workerEnvSchema, process.env);
  installRuntime(env);
  const connection = await connectWorker(env);
  const workers = await createWorkers({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TASK_QUEUE,
    maxConcurrentGenerations: env.RUNWAY_MAX_CONCURRENCY,
    defaultQueueConcurrency: env.DEFAULT_QUEUE_CONCURRENCY,
    deps: activityDepsFromEnv(env),
    shutdownGraceTime: env.WORKER_SHUTDOWN_GRACE_MS,
  });
  const ready = {
    msg: 'worker ready',
    taskQueue: env.TASK_QUEUE,
    generationTaskQueue: generationTaskQueue(env.TASK_QUEUE),
    maxConcurrentGenerations: env.RUNWAY_MAX_CONCURRENCY,
    runwayBaseUrl: env.RUNWAYML_BASE_URL,
    metrics: env.METRICS_PORT > 0 ? `http://localhost:${env.METRICS_PORT}/metrics` : 'off',
  };
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', ...ready })}\n`);
  // Runtime.install registers SIGINT/SIGTERM: both workers drain (shutdownGraceTime) and run() resolves.
  await runWorkers(workers);
  await connection.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
