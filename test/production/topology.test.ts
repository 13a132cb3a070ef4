import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { RunwayTemporal } from '../../client';
import { productDataConverter } from '../../infra/data-converter';
import { defaultDataDir } from '../../infra/paths';
import { codecKeysFromEnv } from '../../infra/payload-codec';
import { createS3Client } from '../../infra/s3';
import { envWithoutStackOverrides, readStackEnv } from '../../infra/stack-env';
import type { SimulatorSnapshot } from '../../simulator/state';
import { startProductionStack, type ProductionStack } from '../../stack/production/start-production-stack';
import { listCustomSearchAttributes } from '../../stack/temporal-health';
import { stackSearchAttributes } from '../../stack/temporal-server';
import { postgresMajorVersion, temporalServerVersion } from '../../stack/tool-specs';
import { leasePoolWorkflowId, leasesQuery } from '../../workflows/messages';
import { expectArchivedAsMade } from '../helpers/archived-as-made';
import { pollUntil } from '../helpers/poll';

/**
 * The production topology (PostgreSQL, the Temporal server on SQL persistence and visibility, the UI server, the
 * codec server, SeaweedFS, the simulator, three worker replicas) on ports of its own, beside the jest run's dev stack.
 */
const REPLICAS = 3;
const dataDir = path.join(defaultDataDir, `production-test-${Date.now()}`);
const taskQueue = 'production-topology';
let stack: ProductionStack;
let api: RunwayTemporal;
let connection: Connection;

beforeAll(async () => {
  stack = await startProductionStack({
    dataDir,
    ports: 'auto',
    workers: REPLICAS,
    taskQueue,
    runwayBaseUrl: null,
    simulator: { timeScale: 600 },
    env: { ...envWithoutStackOverrides(process.env), SIM_CONFIG: '' },
    log: () => undefined,
  });
  // The client from what stack.env says (codec key included), with the topology's S3 keys given explicitly: this
  // process's AWS_* variables are the jest run's dev stack's.
  const env = readStackEnv(stack.envFile);
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
  const dataConverter = productDataConverter(codecKeysFromEnv(env));
  api = new RunwayTemporal({
    client: new Client({
      connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS! }),
      namespace: env.TEMPORAL_NAMESPACE,
      ...(dataConverter ? { dataConverter } : {}),
    }),
    s3: createS3Client(stack.s3.connection),
    taskQueue,
    bucket: env.S3_BUCKET!,
    prefix: '',
  });
}, 240_000);

let stopped = false;
afterAll(async () => {
  if (stopped) return;
  await connection?.close();
  await api?.close();
  await stack?.stop();
});

function simulator<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  return request(`${stack.simulator!.adminUrl}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (response) => JSON.parse((await response.body.text()) || 'null') as T);
}

function temporalCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      stack.temporalCliPath,
      [...args, '--address', stack.urls.frontend, '-o', 'json'],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      (error, stdout, stderr) => (error ? reject(new Error(`${stderr}${error.message}`)) : resolve(stdout)),
    ),
  );
}

test('the server is 1.29.1 with PostgreSQL persistence and visibility, on the cluster of the launched PostgreSQL major', async () => {
  const info = await connection.workflowService.getSystemInfo({});
  expect(info.serverVersion).toBe(temporalServerVersion);
  const cluster = JSON.parse(await temporalCli(['operator', 'cluster', 'describe'])) as {
    persistenceStore: string;
    visibilityStore: string;
    historyShardCount: number;
  };
  expect(cluster).toMatchObject({ persistenceStore: 'postgres12', visibilityStore: 'postgres12', historyShardCount: 4 });
  expect(await stack.postgres.query('postgres', 'show server_version_num')).toMatch(new RegExp(`^${postgresMajorVersion}\\d{4}$`));
  expect((await stack.postgres.query('postgres', 'select datname from pg_database order by datname')).split('\n')).toEqual(
    expect.arrayContaining(['temporal', 'temporal_visibility']),
  );
  // The UI server serves the Web UI's page, and its API reaches this frontend.
  const page = await fetch(`${stack.urls.ui}/namespaces/default/workflows`);
  expect(await page.text()).toMatch(/<!doctype html>/i);
  const settings = (await (await fetch(`${stack.urls.ui}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
  expect(settings.Codec?.Endpoint).toBe(stack.codecServer.uiEndpoint);
});

test('the search attributes are registered in the namespace', async () => {
  const registered = await listCustomSearchAttributes(connection, stack.env.TEMPORAL_NAMESPACE);
  expect(registered).toEqual(expect.arrayContaining([...stackSearchAttributes]));
});

test('a campaign completes through the replicas: every variant archived once, sha256 verified, credits the bill; rows in PostgreSQL; visibility lists its videos by WorkloadId; the lease pool answers its query', async () => {
  await simulator('POST', '/reset', {
    apiSecret: stack.env.RUNWAYML_API_SECRET,
    timeScale: 600,
    pendingSeconds: 6,
    generationSeconds: { kind: 'uniform', min: 60, max: 120 },
  });
  const campaignId = `prod-topology-${Date.now()}`;
  const variants = Array.from({ length: 6 }, (_, index) => ({
    id: `v${index + 1}`,
    promptText: `A paper boat on a canal, production shot ${index + 1}`,
  }));
  await api.campaigns.start({
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants,
    options: { pollInterval: 200, pollJitter: 0.1, maxPendingWait: '1h', maxRunningWait: '1h' },
  });
  const result = await api.campaigns.waitForResult(campaignId);
  const stats = await simulator<SimulatorSnapshot>('GET', '/stats');
  expect(result).toMatchObject({ total: 6, archived: 6, failed: 0 });
  expect(stats.submissions.total).toBe(6);
  expect(Object.values(stats.createsByPrompt).every((creates) => creates === 1)).toBe(true);
  expect(result.credits).toBe(stats.credits.net);
  await expectArchivedAsMade(api.options.s3, stack.env.S3_BUCKET, result.variants, stats.tasks);

  // The history is PostgreSQL's: the campaign's executions are rows of the temporal database, its visibility records rows of temporal_visibility.
  const campaignRows = await stack.postgres.query(
    'temporal',
    `select count(*) from current_executions where workflow_id like '%${campaignId}%'`,
  );
  expect(Number(campaignRows)).toBeGreaterThanOrEqual(7);
  const visibilityRows = await stack.postgres.query(
    'temporal_visibility',
    `select count(*) from executions_visibility where workflow_id like '%${campaignId}%'`,
  );
  expect(Number(visibilityRows)).toBeGreaterThanOrEqual(7);

  // A visibility query by WorkloadId lists the campaign's six videos (and the campaign itself).
  const listed = await pollUntil(
    'visibility to list the videos',
    async () => {
      const ids: string[] = [];
      for await (const execution of api.client.workflow.list({
        query: `WorkloadId = '${campaignId}' AND WorkflowType = 'GenerationWorkflow'`,
      }))
        ids.push(execution.workflowId);
      return ids;
    },
    (ids) => ids.length === 6,
    30_000,
    500,
  );
  expect(listed).toHaveLength(6);

  // The lease pool of this queue (shared by every replica) answers its query.
  const pool = await api.client.workflow.getHandle(leasePoolWorkflowId(taskQueue)).query(leasesQuery);
  expect(pool).toEqual(expect.objectContaining({}));
  expect(JSON.stringify(pool)).toContain('gen4.5');
}, 180_000);

test('a Schedule is created, triggered and listed', async () => {
  const scheduleId = `prod-topology-schedule-${Date.now()}`;
  await api.schedules.createSchedule({
    scheduleId,
    campaign: {
      campaignId: `${scheduleId}-src`,
      defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
      variants: [{ id: 'one', promptText: 'A kite over dunes' }],
    },
    cron: '0 0 1 1 *',
  });
  await api.schedules.trigger(scheduleId);
  const details = await pollUntil(
    'the triggered run',
    () => api.schedules.describeSchedule(scheduleId),
    (described) => described.actionsTaken >= 1,
    30_000,
    500,
  );
  expect(details.recentRuns).toHaveLength(1);
  const listed = await pollUntil(
    'the schedule to be listed',
    () => api.schedules.listSchedules(),
    (schedules) => schedules.some((schedule) => schedule.scheduleId === scheduleId),
    30_000,
    500,
  );
  expect(listed.map((schedule) => schedule.scheduleId)).toContain(scheduleId);
  await api.schedules.deleteSchedule(scheduleId);
});

test('stopping the topology leaves no process behind', async () => {
  // PostgreSQL may run from the directory its link points at (a checkout the postgres account cannot reach).
  const clusterDir = fs.realpathSync(path.join(dataDir, 'production', 'postgres'));
  const dirs = [dataDir, clusterDir];
  const pids = processesOf(dirs);
  expect(pids.length).toBeGreaterThanOrEqual(REPLICAS + 5);
  stopped = true;
  await api.close();
  await connection.close();
  await stack.stop();
  const alive = await pollUntil(
    'every process to exit',
    async () => pids.filter(isAlive),
    (left) => left.length === 0,
    15_000,
    250,
  );
  expect(alive).toEqual([]);
  expect(processesOf(dirs)).toEqual([]);
  // Kept (logs, cluster) only when something failed before this point.
  fs.rmSync(clusterDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

/** Processes whose command line or environment names one of the dirs, and their descendants (PostgreSQL's backends). */
function processesOf(dirs: readonly string[]): number[] {
  const parents = new Map<number, number>();
  const own = new Set<number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (dirs.some((dir) => cmdline.includes(dir) || environ.includes(dir)) && pid !== process.pid) own.add(pid);
    } catch {
      // exited meanwhile
    }
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (own.has(pid) || !own.has(parent)) continue;
      own.add(pid);
      grew = true;
    }
  }
  return [...own].filter((pid) => !isOrphanGuard(pid));
}

/** The tiny shell that kills a group if the test process dies: it exits on its own within a second. */
function isOrphanGuard(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('orphan-guard');
  } catch {
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
