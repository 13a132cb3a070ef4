import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildIdOf, codeVersion } from '../../infra/code-version';
import { stackEnvPath, writeStackEnv, type StackEnv } from '../../infra/stack-env';
import { temporalConnectionOptions } from '../../infra/temporal';
import { describeDeployment, routeToVersion } from '../../infra/worker-deployment';
import { parseEnv, temporalEnvSchema } from '../../schemas/env';
import type { CodecServerProcess } from '../codec-server-process';
import { assertPortsFree, pickFreePorts } from '../ports';
import { portClaims, resolveStackConfig, type ResolvedStackConfig } from '../resolve-stack-config';
import type { S3Server } from '../s3-server';
import type { SimulatorProcess } from '../simulator-process';
import type { StackOptions } from '../stack-options';
import { createCodecServer, createS3Server, createSimulator, stackEnvOf, stopAll } from '../start-stack';
import { ensureTool } from '../tools';
import { s3ServerSpec, temporalCliSpec } from '../tool-specs';
import { dynamicConfigFile, dynamicConfigWith, historyShardCount } from './deploy-files';
import { PostgresCluster } from './postgres-cluster';
import { setUpTemporalSchemas } from './temporal-schema';
import { SqlTemporalServer, type TemporalServerPorts } from './temporal-sql-server';
import { ensureProductionTools } from './tools';
import { ensureTemporalTls, temporalTlsEnv, type TemporalTlsFiles } from './temporal-tls';
import { UiServer } from './ui-server';
import { replicaLogFile, WorkerReplica } from './worker-replica';

/** The Worker Deployment the replicas belong to, unless workerEnv names another (or '' for unversioned replicas). */
export const productionDeploymentName = 'runway-temporal';

/** The queue the worker and the CLI use when TASK_QUEUE is not set. */
const defaultTaskQueue = 'runway-videos';
export const defaultWorkerReplicas = 3;

export interface ProductionStackOptions extends StackOptions {
  /** Worker replicas started with the stack (default 3; 0: none, e.g. a test that runs its own). */
  workers?: number;
  /** The queue the replicas serve. Default: TASK_QUEUE of `env`, else runway-videos. */
  taskQueue?: string;
  /** More environment for every replica (GENERATION_WORKER_SLOTS, RUNWAY_MAX_CONCURRENCY, LOG_LEVEL…). */
  workerEnv?: Record<string, string>;
  /**
   * The Temporal server with mTLS (frontend and internode) on certificates of the stack's own CA in
   * `<dataDir>/production/tls`; stack.env then carries the TEMPORAL_TLS_* settings every replica, client and
   * CLI connects with, and the UI server presents the same client certificate.
   */
  tls?: boolean;
  /**
   * Dynamic config values over deploy/temporal/dynamicconfig.yaml for this cluster alone, e.g. a test's shorter
   * `matching.wv.VersionDrainageStatusRefreshInterval`. Written to `<dataDir>/production/temporal/dynamicconfig.yaml`.
   */
  dynamicConfig?: Record<string, unknown>;
}

export interface ProductionStackUrls {
  /** Temporal frontend, gRPC `host:port` (what TEMPORAL_ADDRESS holds). */
  frontend: string;
  ui: string;
  s3: string;
  /** The simulator, or the external Runway endpoint. */
  runway: string;
  codecServer: string;
  postgres: string;
}

export interface ProductionStack {
  dataDir: string;
  /** `<dataDir>/production`: the cluster, the server's and UI's generated config, the shared journal, the logs. */
  productionDir: string;
  env: StackEnv;
  envFile: string;
  urls: ProductionStackUrls;
  taskQueue: string;
  postgres: PostgresCluster;
  temporal: SqlTemporalServer;
  ui: UiServer;
  s3: S3Server;
  simulator: SimulatorProcess | undefined;
  codecServer: CodecServerProcess;
  /** The replicas started so far, in order (index i is `worker-${i + 1}`); each restartable and killable alone. */
  workers: WorkerReplica[];
  /** The certificates, when the server runs with mTLS. */
  tls: TemporalTlsFiles | undefined;
  /** Path of the Temporal CLI (`temporal operator …` against `urls.frontend`). */
  temporalCliPath: string;
  /**
   * Starts one more replica on the stack's queue and resolves when it is ready. `entry`: another worker script than
   * worker/main.ts (a test's changed release of the workflows), relative to the repository.
   */
  addWorker(extraEnv?: Record<string, string>, options?: { entry?: string }): Promise<WorkerReplica>;
  /** Stops everything (workers first, PostgreSQL last). */
  stop(): Promise<void>;
}

/**
 * The production topology on loopback: its own PostgreSQL cluster, the schemas set up by temporal-sql-tool, the
 * Temporal server on SQL persistence and visibility, the namespace and search attributes, the UI server with the
 * codec server, SeaweedFS, the simulator (unless Runway is external), and N worker replicas; `<dataDir>/stack.env` as
 * the dev stack writes it. On failure, whatever started is stopped.
 */
export async function startProductionStack(options: ProductionStackOptions = {}): Promise<ProductionStack> {
  const config = await resolveStackConfig(options);
  await assertPortsFree(config.host, portClaims(config));
  const stack = await createProductionStack(config, options);
  try {
    await stack.postgres.start();
    await setUpTemporalSchemas({
      sqlTool: (await tools(config, options)).sqlTool,
      host: config.host,
      port: stack.postgres.port,
      password: config.secrets.postgresPassword,
      log: config.log,
    });
    const services = [stack.temporal, stack.s3, ...(stack.simulator ? [stack.simulator] : []), stack.codecServer];
    await settleAll(services.map((service) => service.start()));
    await stack.ui.start();
    writeStackEnv(stack.envFile, stack.env);
    const replicas = options.workers ?? defaultWorkerReplicas;
    await settleAll(Array.from({ length: replicas }, () => stack.addWorker()));
    const routed = replicas > 0 ? await routeFirstVersion(stack, options.workerEnv ?? {}) : undefined;
    config.log(`✔ workers   ready  ${replicas} replica(s) on task queue ${stack.taskQueue}${routed ? `, ${routed}` : ''}`);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

let toolPaths: Promise<Awaited<ReturnType<typeof ensureProductionTools>>> | undefined;
function tools(config: ResolvedStackConfig, options: StackOptions) {
  toolPaths ??= ensureProductionTools({ env: options.env ?? process.env, log: config.log });
  toolPaths.catch(() => (toolPaths = undefined));
  return toolPaths;
}

async function createProductionStack(config: ResolvedStackConfig, options: ProductionStackOptions): Promise<ProductionStack> {
  const env = options.env ?? process.env;
  const production = await tools(config, options);
  const toolOptions = { env, log: config.log };
  const temporalCliPath = options.tools?.temporalCli ?? (await ensureTool(temporalCliSpec, toolOptions));
  const s3ServerPath = options.tools?.s3Server ?? (await ensureTool(s3ServerSpec, toolOptions));
  const productionDir = path.join(config.dataDir, 'production');
  const logsDir = path.join(productionDir, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  const [postgresPort, frontendHttp, history, matching, worker, ...membership] = await pickFreePorts(config.host, 9);
  const serverPorts = temporalServerPorts(config.ports.temporal, [frontendHttp, history, matching, worker], membership);
  const tls = options.tls ? ensureTemporalTls(path.join(productionDir, 'tls'), [config.host]) : undefined;

  const postgres = new PostgresCluster({
    binDir: production.postgresBinDir,
    dir: path.join(productionDir, 'postgres'),
    host: config.host,
    port: postgresPort!,
    password: config.secrets.postgresPassword,
    logFile: path.join(logsDir, 'postgres.log'),
    log: config.log,
  });
  const temporal = new SqlTemporalServer({
    serverPath: production.temporalServer,
    host: config.host,
    ports: serverPorts,
    namespace: config.namespace,
    postgres: { host: config.host, port: postgres.port, password: config.secrets.postgresPassword },
    historyShards: historyShardCount,
    dynamicConfigFile: options.dynamicConfig
      ? dynamicConfigWith(options.dynamicConfig, path.join(productionDir, 'temporal', 'dynamicconfig.yaml'))
      : dynamicConfigFile,
    ...(tls ? { tls } : {}),
    dir: path.join(productionDir, 'temporal'),
    logFile: path.join(logsDir, 'temporal-server.log'),
    log: config.log,
  });
  const codecServer = createCodecServer(config);
  const ui = new UiServer({
    uiServerPath: production.uiServer,
    host: config.host,
    port: config.ports.temporalUi,
    temporalAddress: temporal.address,
    ...(tls ? { tls } : {}),
    namespace: config.namespace,
    codecEndpoint: codecServer.uiEndpoint,
    dir: path.join(productionDir, 'ui'),
    logFile: path.join(logsDir, 'temporal-ui.log'),
    log: config.log,
  });
  const s3 = createS3Server(config, s3ServerPath);
  const simulator = config.externalRunwayUrl === undefined ? createSimulator(config) : undefined;
  const runwayBaseUrl = config.externalRunwayUrl ?? simulator?.baseUrl ?? '';
  const stackEnv = {
    ...stackEnvOf(config, { address: temporal.address, uiUrl: ui.url }, s3, codecServer, runwayBaseUrl),
    ...(tls ? temporalTlsEnv(tls) : {}),
  };
  const taskQueue = options.taskQueue ?? env.TASK_QUEUE ?? defaultTaskQueue;
  const workers: WorkerReplica[] = [];

  const addWorker = async (extraEnv: Record<string, string> = {}, { entry }: { entry?: string } = {}): Promise<WorkerReplica> => {
    const index = workers.length + 1;
    const replica = new WorkerReplica({
      index,
      ...(entry ? { entry } : {}),
      stackEnv,
      taskQueue,
      journalDir: path.join(productionDir, 'journal'),
      noStackEnvDir: path.join(productionDir, 'no-stack-env-here'),
      logFile: replicaLogFile(logsDir, index),
      extraEnv: { TEMPORAL_WORKER_DEPLOYMENT_NAME: productionDeploymentName, ...options.workerEnv, ...extraEnv },
    });
    workers.push(replica);
    await replica.start();
    return replica;
  };

  return {
    dataDir: config.dataDir,
    productionDir,
    env: stackEnv,
    envFile: stackEnvPath(config.dataDir),
    urls: {
      frontend: temporal.address,
      ui: ui.url,
      s3: s3.endpoint,
      runway: runwayBaseUrl,
      codecServer: codecServer.url,
      postgres: `${config.host}:${postgres.port}`,
    },
    taskQueue,
    postgres,
    temporal,
    ui,
    s3,
    simulator,
    codecServer,
    workers,
    tls,
    temporalCliPath,
    addWorker,
    stop: async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await stopAll([temporal, s3, ...(simulator ? [simulator] : []), codecServer, ui]); // in reverse: the UI first, the server last
      await postgres.stop();
    },
  };
}

function temporalServerPorts(frontend: number, rpc: Array<number | undefined>, membership: number[]): TemporalServerPorts {
  const [frontendHttp, history, matching, worker] = rpc;
  const [frontendMembership, historyMembership, matchingMembership, workerMembership] = membership;
  const ports = {
    frontend,
    frontendHttp,
    frontendMembership,
    history,
    historyMembership,
    matching,
    matchingMembership,
    worker,
    workerMembership,
  };
  for (const [name, port] of Object.entries(ports)) if (port === undefined) throw new Error(`could not pick a free port for ${name}`);
  return ports as TemporalServerPorts;
}

/** Waits for every start (so none is left half-started), then throws the first failure. */
async function settleAll(starts: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * The first deploy of a new cluster: the replicas' version becomes current, so work reaches them. A cluster whose
 * deployment already has a current version is left as it is (later versions are routed with `npm run deploy`).
 */
async function routeFirstVersion(stack: ProductionStack, workerEnv: Record<string, string>): Promise<string | undefined> {
  const deploymentName = workerEnv.TEMPORAL_WORKER_DEPLOYMENT_NAME ?? productionDeploymentName;
  if (deploymentName === '') return undefined;
  const buildId = workerEnv.TEMPORAL_WORKER_BUILD_ID ?? buildIdOf(codeVersion());
  if (!buildId) throw new Error('the replicas need TEMPORAL_WORKER_BUILD_ID: this code is not a git checkout');
  const connection = await Connection.connect(temporalConnectionOptions(parseEnv(temporalEnvSchema, stack.env)));
  try {
    const client = new Client({ connection, namespace: stack.env.TEMPORAL_NAMESPACE });
    const current = (await describeDeployment(client, deploymentName))?.current;
    if (current) return `deployment ${deploymentName} current ${current}`;
    await routeToVersion(client, { deploymentName, buildId, identity: 'runway-temporal stack' });
    return `deployment ${deploymentName} current ${buildId}`;
  } finally {
    await connection.close();
  }
}
