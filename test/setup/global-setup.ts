import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../../infra/paths';
import { startStack, type Stack } from '../../stack/start-stack';
import { writeTestStackFile } from '../helpers/test-stack-file';

const testDataDirsKept = 3;

/** Starts ONE stack (free ports, fresh data dir) for the whole jest run. */
export default async function globalSetup(): Promise<void> {
  pruneOldTestDataDirs();
  const dataDir = path.join(defaultDataDir, `test-${Date.now()}`);
  console.log(`\nstarting the test stack in ${dataDir}`);
  const stack = await startStack({
    ports: 'auto',
    dataDir,
    runwayBaseUrl: null, // tests never reach a real Runway endpoint
    simulator: { timeScale: 60 },
    env: { ...process.env, SIM_CONFIG: '' }, // the simulator's default config
  });
  writeTestStackFile(describeForTests(stack));
  // The test stack's secret (the simulator's) replaces the user's below; the live smoke test needs the user's.
  const liveSecret = process.env.RUNWAY_LIVE === '1' ? process.env.RUNWAYML_API_SECRET : undefined;
  Object.assign(process.env, stack.env);
  if (liveSecret) process.env.RUNWAY_LIVE_API_SECRET = liveSecret;
  (globalThis as { __testStack?: Stack }).__testStack = stack;
}

function describeForTests(stack: Stack) {
  const { env } = stack;
  return {
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    temporalUiUrl: env.TEMPORAL_UI_URL,
    s3: {
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      region: env.AWS_REGION,
    },
    runwayBaseUrl: env.RUNWAYML_BASE_URL,
    runwayApiSecret: env.RUNWAYML_API_SECRET,
    simulatorAdminUrl: stack.simulator?.adminUrl ?? `${env.RUNWAYML_BASE_URL}/__sim`,
    dataDir: stack.dataDir,
    temporalCliPath: stack.temporalCliPath,
    env,
  };
}

/** Keeps the data (and logs) of the last few runs for debugging, drops older ones. */
function pruneOldTestDataDirs(): void {
  if (!fs.existsSync(defaultDataDir)) return;
  const testDirs = fs
    .readdirSync(defaultDataDir)
    .filter((name) => /^test-\d+$/.test(name))
    .sort();
  for (const name of testDirs.slice(0, Math.max(0, testDirs.length - (testDataDirsKept - 1)))) {
    fs.rmSync(path.join(defaultDataDir, name), { recursive: true, force: true });
  }
}
