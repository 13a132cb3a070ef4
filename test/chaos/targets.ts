import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../../infra/paths';
import { envWithoutStackOverrides, type StackEnv } from '../../infra/stack-env';
import { startProductionStack, type ProductionStack } from '../../stack/production/start-production-stack';
import type { WorkerReplica } from '../../stack/production/worker-replica';
import type { S3Server } from '../../stack/s3-server';
import type { SimulatorTuning } from '../../stack/simulator-process';
import { startDedicatedStack } from '../../stack/dedicated-stack';
import type { Stack } from '../../stack/start-stack';
import type { ChaosOptions, ChaosTopology } from './options';
import { spawnChaosWorker, type ChaosWorker } from './worker';
import { pollFloorAtTimeScale } from '../../schemas/options';

/** A service the chaos stops and starts again; `force` is a crash (SIGKILL) where the service supports it. */
export interface ChaosService {
  stop(options?: { force?: boolean }): Promise<void>;
  start(): Promise<void>;
}

/** The worker processes of a run, whatever runs them: one process (dev stack) or N replicas (production). */
export interface ChaosWorkers {
  /** Worker processes started so far (restarts included). */
  readonly processes: number;
  start(): Promise<void>;
  /** SIGKILLs one worker (it must die of the SIGKILL) and returns its name and how to bring its capacity back. */
  kill(): Promise<{ name: string; restart: () => Promise<string> }>;
  /** SIGTERM to every worker: drains, then exits. */
  stop(): Promise<void>;
  /** SIGKILL to whatever still runs (after a failure). */
  cleanup(): Promise<void>;
  /** Every worker process's output, one after the other. */
  logs(): string;
  /** Called when a worker exits without being told to; the worker is replaced, `replaced` resolves when it is ready. */
  onUnexpectedExit(handler: (description: string, replaced: Promise<void>) => void): void;
}

/** What the chaos scenario runs against: the services it disrupts, the workers it kills, where things are. */
export interface ChaosTarget {
  topology: ChaosTopology;
  /** One line for the report: what ran. */
  description: string;
  dataDir: string;
  logsDir: string;
  env: StackEnv;
  s3Connection: S3Server['connection'];
  simulatorAdminUrl: string;
  temporal: ChaosService;
  s3: ChaosService;
  /** The production topology's PostgreSQL (the dev stack keeps Temporal's state in SQLite, inside the dev server). */
  postgres?: ChaosService;
  workers: ChaosWorkers;
  stop(): Promise<void>;
}

/** The chaos run's stack of the chosen topology, with the simulator tuned as the options say. */
export async function startChaosTarget(
  options: ChaosOptions,
  simulator: SimulatorTuning,
  log: (line: string) => void,
): Promise<ChaosTarget> {
  const topology = options.topology ?? 'dev';
  const dataDir =
    options.dataDir ?? path.join(defaultDataDir, `chaos-${topology === 'production' ? 'production-' : ''}${options.label}-${Date.now()}`);
  log(`chaos: starting a dedicated ${topology === 'production' ? 'production topology' : 'dev stack'} in ${dataDir}`);
  const taskQueue = `chaos-${options.label}`;
  const workerEnv = {
    RUNWAY_MAX_CONCURRENCY: String(options.cap),
    WORKER_SHUTDOWN_GRACE_MS: '5000',
    RUNWAY_POLL_FLOOR: String(pollFloorAtTimeScale(options.timeScale)),
  };
  if (topology === 'production') {
    const stack = await startProductionStack({
      ports: 'auto',
      dataDir,
      runwayBaseUrl: null,
      env: { ...envWithoutStackOverrides(process.env), SIM_CONFIG: '' },
      log: (line) => log(`  ${line}`),
      simulator,
      workers: options.replicas ?? 3,
      taskQueue,
      workerEnv,
    });
    return productionTarget(stack);
  }
  return devTarget(await startDedicatedStack(dataDir, log, simulator), taskQueue, workerEnv);
}

function devTarget(stack: Stack, taskQueue: string, workerEnv: Record<string, string>): ChaosTarget {
  if (!stack.simulator) throw new Error('the chaos scenario needs the simulator');
  return {
    topology: 'dev',
    description: 'dev stack (Temporal dev server on SQLite, one worker process)',
    dataDir: stack.dataDir,
    logsDir: path.join(stack.dataDir, 'logs'),
    env: stack.env,
    s3Connection: stack.s3.connection,
    simulatorAdminUrl: stack.simulator.adminUrl,
    temporal: stack.temporal,
    s3: stack.s3,
    workers: new DevWorkers(stack, taskQueue, workerEnv),
    stop: () => stack.stop(),
  };
}

function productionTarget(stack: ProductionStack): ChaosTarget {
  if (!stack.simulator) throw new Error('the chaos scenario needs the simulator');
  return {
    topology: 'production',
    description: `production topology (PostgreSQL, Temporal server on SQL persistence and visibility, ${stack.workers.length} worker replicas)`,
    dataDir: stack.dataDir,
    logsDir: path.join(stack.productionDir, 'logs'),
    env: stack.env,
    s3Connection: stack.s3.connection,
    simulatorAdminUrl: stack.simulator.adminUrl,
    temporal: stack.temporal,
    s3: stack.s3,
    postgres: stack.postgres,
    workers: new ReplicaWorkers(stack.workers),
    stop: () => stack.stop(),
  };
}

/** One worker process at a time: a killed one is replaced by a new process. */
class DevWorkers implements ChaosWorkers {
  processes = 0;
  private current: ChaosWorker | undefined;
  private readonly all: ChaosWorker[] = [];
  private readonly expectedExits = new Set<ChaosWorker>();
  private stopping = false;
  private handler: (description: string, replaced: Promise<void>) => void = () => undefined;

  constructor(
    private readonly stack: Stack,
    private readonly taskQueue: string,
    private readonly workerEnv: Record<string, string>,
  ) {}

  onUnexpectedExit(handler: (description: string, replaced: Promise<void>) => void): void {
    this.handler = handler;
  }

  async start(): Promise<void> {
    this.processes += 1;
    const worker = spawnChaosWorker(this.stack, this.taskQueue, this.processes, this.workerEnv);
    this.current = worker;
    this.all.push(worker);
    void worker.exited.then(({ code, signal }) => {
      if (this.expectedExits.has(worker) || this.stopping) return;
      this.handler(`worker ${worker.generation} exited on its own (code ${code}, signal ${signal}); see ${worker.logFile}`, this.start());
    });
    await worker.ready;
  }

  async kill(): Promise<{ name: string; restart: () => Promise<string> }> {
    const worker = this.current;
    if (!worker) throw new Error('no worker to kill');
    this.expectedExits.add(worker);
    worker.child.kill('SIGKILL');
    const exit = await worker.exited;
    if (exit.signal !== 'SIGKILL') throw new Error(`worker ${worker.generation} ended with ${exit.signal ?? exit.code}, not SIGKILL`);
    return {
      name: `worker ${worker.generation}`,
      restart: async () => {
        await this.start();
        return `worker ${this.processes}`;
      },
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.current;
    if (!worker) return;
    this.expectedExits.add(worker);
    worker.child.kill('SIGTERM');
    await worker.exited;
  }

  async cleanup(): Promise<void> {
    this.stopping = true;
    for (const worker of this.all) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        this.expectedExits.add(worker);
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
    }
  }

  logs(): string {
    return this.all.map((worker) => worker.output()).join('\n');
  }
}

/** The topology's replicas on one queue: a kill takes one down while the others keep serving; it is started again. */
class ReplicaWorkers implements ChaosWorkers {
  processes = 0;
  private kills = 0;
  private readonly expected = new Set<symbol>();
  private readonly runs = new Map<WorkerReplica, symbol>();
  private stopping = false;
  private handler: (description: string, replaced: Promise<void>) => void = () => undefined;

  constructor(private readonly replicas: WorkerReplica[]) {}

  onUnexpectedExit(handler: (description: string, replaced: Promise<void>) => void): void {
    this.handler = handler;
  }

  /** The stack started the replicas already: watch them. */
  async start(): Promise<void> {
    for (const replica of this.replicas) {
      if (!replica.running) throw new Error(`${replica.name} is not running`);
      this.processes += 1;
      this.watch(replica);
    }
  }

  private watch(replica: WorkerReplica): void {
    const run = Symbol(replica.name);
    this.runs.set(replica, run);
    void replica.whenExited().then(({ code, signal }) => {
      if (this.expected.has(run) || this.stopping) return;
      this.handler(`${replica.name} exited on its own (code ${code}, signal ${signal}); see ${replica.logFile}`, this.restart(replica));
    });
  }

  private async restart(replica: WorkerReplica): Promise<void> {
    await replica.start();
    this.processes += 1;
    this.watch(replica);
  }

  async kill(): Promise<{ name: string; restart: () => Promise<string> }> {
    // Round robin: each kill takes a different replica.
    const replica = this.replicas[this.kills % this.replicas.length]!;
    this.kills += 1;
    const run = this.runs.get(replica);
    if (run) this.expected.add(run);
    const exit = replica.whenExited();
    await replica.kill();
    const { signal, code } = await exit;
    if (signal !== 'SIGKILL') throw new Error(`${replica.name} ended with ${signal ?? code}, not SIGKILL`);
    return {
      name: replica.name,
      restart: async () => {
        await this.restart(replica);
        return `${replica.name} (process ${this.processes})`;
      },
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.replicas.map((replica) => replica.stop()));
  }

  async cleanup(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.replicas.filter((replica) => replica.running).map((replica) => replica.kill()));
  }

  logs(): string {
    return this.replicas.map((replica) => (fs.existsSync(replica.logFile) ? fs.readFileSync(replica.logFile, 'utf8') : '')).join('\n');
  }
}
