import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../../infra/paths';
import { pickFreePorts } from '../../stack/ports';
import { SimulatorProcess } from '../../stack/simulator-process';
import { startStack, type Stack } from '../../stack/start-stack';
import { writeTestStackFile, type TestSimulator } from '../helpers/test-stack-file';

const testDataDirsKept = 3;

/**
 * Starts ONE stack (free ports, fresh data dir) for the whole jest run, and one simulator per jest worker:
 * test files reset the simulator and read its counters, so files running side by side must not share one.
 * Temporal, S3 and the lease pools (one per task queue) are shared; every file names its own ids.
 */
export default async function globalSetup(globalConfig: { maxWorkers: number } = { maxWorkers: 1 }): Promise<void> {
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
  const simulators = [simulatorOf(stack), ...(await startWorkerSimulators(stack, dataDir, globalConfig.maxWorkers - 1))];
  writeTestStackFile({ ...describeForTests(stack), simulators });
  // The test stack's secret (the simulator's) replaces the user's below; the live smoke test needs the user's.
  const liveSecret = process.env.RUNWAY_LIVE === '1' ? process.env.RUNWAYML_API_SECRET : undefined;
  Object.assign(process.env, stack.env);
  if (liveSecret) process.env.RUNWAY_LIVE_API_SECRET = liveSecret;
  (globalThis as { __testStack?: Stack }).__testStack = stack;
}

function simulatorOf(stack: Stack): TestSimulator {
  const runwayBaseUrl = stack.env.RUNWAYML_BASE_URL;
  return { runwayBaseUrl, simulatorAdminUrl: stack.simulator?.adminUrl ?? `${runwayBaseUrl}/__sim` };
}

/** The simulators of jest workers 2..N: the same secret and time scale as the stack's own, each its own port and logs. */
async function startWorkerSimulators(stack: Stack, dataDir: string, count: number): Promise<TestSimulator[]> {
  if (count <= 0 || !stack.simulator) return [];
  const host = '127.0.0.1';
  const ports = await pickFreePorts(host, count);
  const simulators = ports.map(
    (port, index) =>
      new SimulatorProcess({
        timeScale: 60,
        config: '',
        host,
        port,
        apiSecret: stack.env.RUNWAYML_API_SECRET,
        entry: 'simulator/main.ts',
        dataDir: path.join(dataDir, `worker-${index + 2}`),
        log: (line) => console.log(line),
      }),
  );
  await Promise.all(simulators.map((simulator) => simulator.start()));
  (globalThis as { __workerSimulators?: SimulatorProcess[] }).__workerSimulators = simulators;
  return simulators.map((simulator) => ({ runwayBaseUrl: simulator.baseUrl, simulatorAdminUrl: simulator.adminUrl }));
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
