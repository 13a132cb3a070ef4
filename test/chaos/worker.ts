import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Stack } from '../../stack/start-stack';

const projectRoot = path.resolve(__dirname, '..', '..');

/** The environment a deployed worker gets: the chaos stack's endpoints and keys, nothing inherited but PATH/HOME. */
export function chaosWorkerEnv(stack: Stack, taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { env } = stack;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
    TASK_QUEUE: taskQueue,
    S3_ENDPOINT: env.S3_ENDPOINT,
    S3_BUCKET: env.S3_BUCKET,
    S3_PREFIX: '',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: env.AWS_REGION,
    RUNWAYML_BASE_URL: env.RUNWAYML_BASE_URL,
    RUNWAYML_API_SECRET: env.RUNWAYML_API_SECRET,
    METRICS_PORT: '0',
    // No stack.env is loaded from anywhere: the values above are the whole configuration.
    STACK_DATA_DIR: path.join(stack.dataDir, 'no-stack-env-here'),
    ...extra,
  };
}

export interface ChaosWorker {
  /** 1-based: the how-many-th worker process of the run. */
  readonly generation: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves on the worker's "worker ready" line; rejects if it exits first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/**
 * The real worker (`worker/main.ts`) as its own OS process, started with node directly (not npx) so
 * SIGKILL reaches the worker itself. Its output goes to `<dataDir>/logs/worker-<n>.log` and stays in memory.
 */
export function spawnChaosWorker(stack: Stack, taskQueue: string, generation: number, extra: Record<string, string> = {}): ChaosWorker {
  const logFile = path.join(stack.dataDir, 'logs', `worker-${generation}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: projectRoot,
    env: chaosWorkerEnv(stack, taskQueue, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    log.write(chunk);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      log.end();
      resolve({ code, signal });
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('"worker ready"')) resolve();
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) =>
      reject(new Error(`worker ${generation} exited before ready (code ${code}, signal ${signal}):\n${output.slice(-4000)}`)),
    );
  });
  ready.catch(() => undefined);
  return { generation, child, logFile, ready, exited, output: () => output };
}
