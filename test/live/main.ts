import { createS3Client, s3TargetFromEnv } from '../../infra/s3';
import { loadStackEnv } from '../../infra/stack-env';
import { parseEnv, s3EnvSchema, temporalEnvSchema } from '../../schemas/env';
import { liveSmokeSettings, runLiveSmoke } from './live-smoke';

/**
 * `npm run smoke:live`: one real Runway generation through the product, against the Temporal and S3 of
 * `npm run stack` (or the TEMPORAL_* / S3_* of the environment). Runway's secret and URL come from the
 * environment only: the stack's own (the simulator's) never stand in for them.
 */
async function main(): Promise<void> {
  const apiSecret = process.env.RUNWAYML_API_SECRET;
  const settings = liveSmokeSettings(process.env, apiSecret);
  if (!settings.run) {
    console.log(`live smoke test skipped: ${settings.reason}`);
    return;
  }
  loadStackEnv();
  const temporal = parseEnv(temporalEnvSchema, process.env);
  const s3Env = parseEnv(s3EnvSchema, process.env);
  const s3 = createS3Client(s3TargetFromEnv(s3Env));
  const report = await runLiveSmoke({
    runway: { baseUrl: settings.baseUrl, apiSecret: settings.apiSecret },
    temporal: { address: temporal.TEMPORAL_ADDRESS, namespace: temporal.TEMPORAL_NAMESPACE },
    s3,
    bucket: s3Env.S3_BUCKET,
    log: (line) => console.log(line),
  });
  s3.destroy();
  console.log(JSON.stringify(report));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`live smoke test failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
