import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../infra/paths';
import type { StackEnv } from '../../infra/stack-env';
import { ManagedProcess } from '../managed-process';
import { waitUntilHealthy } from '../wait-until-healthy';
import { ProcessService } from '../process-service';

export interface WorkerReplicaConfig {
  /** 1-based replica number: names its log file. */
  index: number;
  stackEnv: StackEnv;
  taskQueue: string;
  /** Shared by every replica, as compose's journal volume is: a replica taking over a dead one's generation finds its task. */
  journalDir: string;
  /** Where no stack.env exists, so a replica reads nothing but the environment it is given. */
  noStackEnvDir: string;
  logFile: string;
  /** More worker settings (e.g. GENERATION_WORKER_SLOTS, RUNWAY_MAX_CONCURRENCY). */
  extraEnv?: Record<string, string>;
  /** The worker script, relative to the repository (default worker/main.ts). */
  entry?: string;
}

/** One replica of the real worker (`worker/main.ts`) as its own process: restartable, and killable alone (SIGKILL). */
export class WorkerReplica extends ProcessService {
  readonly name: string;
  protected readonly process: ManagedProcess;
  private logOffsetAtStart = 0;

  constructor(readonly config: WorkerReplicaConfig) {
    super();
    this.name = `worker-${config.index}`;
    this.process = new ManagedProcess({
      service: this.name,
      // node itself, not npx: a signal reaches the worker, which drains within its grace period on SIGTERM.
      command: process.execPath,
      args: ['--import', 'tsx', config.entry ?? 'worker/main.ts'],
      cwd: repoRoot,
      env: workerEnv(config),
      logFile: config.logFile,
      stopTimeoutMs: 45_000,
    });
  }

  /** Starts the process and resolves on its "worker ready" line (written after this start). */
  async start(): Promise<void> {
    this.logOffsetAtStart = fs.existsSync(this.logFile) ? fs.statSync(this.logFile).size : 0;
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: async () => this.readySinceStart(), timeoutMs: 120_000, intervalMs: 500 });
  }

  /** SIGTERM (drains in-flight work) or, with `force`, SIGKILL: a crashed replica. */
  stop(options?: { force?: boolean }): Promise<void> {
    return this.process.stop(options);
  }

  kill(): Promise<void> {
    return this.stop({ force: true });
  }

  /** Resolves when the current run of this replica ends. */
  whenExited() {
    return this.process.whenExited();
  }

  async isHealthy(): Promise<boolean> {
    return this.running && this.readySinceStart();
  }

  private readySinceStart(): boolean {
    if (!fs.existsSync(this.logFile)) return false;
    const fd = fs.openSync(this.logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.max(0, size - this.logOffsetAtStart));
      fs.readSync(fd, buffer, 0, buffer.length, this.logOffsetAtStart);
      return buffer.toString('utf8').includes('"worker ready"');
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** The stack's endpoints and keys (what stack.env holds), the queue and the shared journal; nothing else inherited but PATH/HOME. */
function workerEnv(config: WorkerReplicaConfig): NodeJS.ProcessEnv {
  fs.mkdirSync(config.journalDir, { recursive: true });
  const { stackEnv } = config;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...stackEnv,
    TASK_QUEUE: config.taskQueue,
    S3_PREFIX: '',
    S3_FORCE_PATH_STYLE: 'true',
    // Each replica would need a port of its own; the topology's checks read the simulator and Temporal instead.
    METRICS_PORT: '0',
    SUBMISSION_JOURNAL_DIR: config.journalDir,
    STACK_DATA_DIR: config.noStackEnvDir,
    ...config.extraEnv,
  };
}

export function replicaLogFile(logsDir: string, index: number): string {
  return path.join(logsDir, `worker-${index}.log`);
}
