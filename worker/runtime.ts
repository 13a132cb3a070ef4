import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { WorkerEnv } from '../schemas/env';
import { jsonLogSink } from './json-log';

/** JSON logs (secrets masked) and the Prometheus endpoint for Temporal's and our own metrics. */
export function installRuntime(env: WorkerEnv): void {
  const secrets = [
    env.RUNWAYML_API_SECRET,
    process.env.AWS_SECRET_ACCESS_KEY ?? '',
    env.TEMPORAL_API_KEY ?? '',
    env.WEBHOOK_SECRET ?? '',
    env.OPENAI_API_KEY ?? '',
  ];
  Runtime.install({
    logger: new DefaultLogger(env.LOG_LEVEL, jsonLogSink(secrets)),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(env.METRICS_PORT > 0 ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${env.METRICS_PORT}` } } } : {}),
    },
  });
}
