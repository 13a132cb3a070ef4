import { pollUntil } from './poll';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RunwayTemporal } from '../../client';
import { clientFor, uniqueTaskQueue } from './product';
import { testStack } from './stack';
import { TEST_POLL_FLOOR_MS } from './simulator-admin';

const projectRoot = path.resolve(__dirname, '..', '..');

/** The environment a deployed worker or CLI gets: the test stack's, nothing from .data/stack.env. */
export function productEnv(taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const stack = testStack();
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    TASK_QUEUE: taskQueue,
    S3_ENDPOINT: stack.s3.endpoint,
    S3_BUCKET: stack.s3.bucket,
    S3_PREFIX: '',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: stack.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.s3.secretAccessKey,
    AWS_REGION: stack.s3.region,
    RUNWAYML_BASE_URL: stack.runwayBaseUrl,
    RUNWAYML_API_SECRET: stack.runwayApiSecret,
    RUNWAY_POLL_FLOOR: String(TEST_POLL_FLOOR_MS),
    METRICS_PORT: '0',
    // Keep .data/stack.env of a developer's own `npm run stack` out of the test's way.
    STACK_DATA_DIR: path.join(stack.dataDir, 'no-stack-env-here'),
    ...extra,
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real worker (`worker/main.ts`) as its own OS process, started with node directly (not npx) so a
 * signal reaches the worker itself.
 */
export function spawnWorker(taskQueue: string, extra: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: projectRoot,
    env: productEnv(taskQueue, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"worker ready"')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`worker exited before ready (code ${code}, signal ${signal}):\n${output}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  ready.catch(() => undefined);
  return { child, output: () => output, ready, exited };
}

/**
 * A task queue of its own served only by worker processes the tests spawn (and kill), with a client on it.
 * Registers beforeAll/afterAll in the calling scope; afterAll SIGKILLs the last worker spawned, should a
 * test end without stopping it.
 */
export function workerProcessQueue(name: string) {
  let last: WorkerProcess | undefined;
  const queue = {
    taskQueue: uniqueTaskQueue(name),
    /** A fresh worker on the queue, once it says it is ready. */
    async spawn(extra: Record<string, string> = {}): Promise<WorkerProcess> {
      last = spawnWorker(queue.taskQueue, extra);
      await last.ready;
      return last;
    },
  } as { taskQueue: string; api: RunwayTemporal; spawn(extra?: Record<string, string>): Promise<WorkerProcess> };
  beforeAll(async () => {
    queue.api = await clientFor(queue.taskQueue);
  });
  afterAll(async () => {
    last?.child.kill('SIGKILL');
    await queue.api.close();
  });
  return queue;
}

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Node running `args` (a script and its arguments) as its own process, to its exit: its streams and exit code. */
export function runNode(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ProcessRun> {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Run the CLI as a user would, and collect its streams and exit code. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  return runNode(['--import', 'tsx', 'client/cli/main.ts', ...args], { cwd: projectRoot, env });
}

/** The CLI's stdout when it exits 0; otherwise a failure naming the command and its stderr. */
export async function cliOk(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const run = await runCli(args, env);
  if (run.code !== 0) throw new Error(`runway-temporal ${args.join(' ')} exited ${String(run.code)}: ${run.stderr}`);
  return run.stdout;
}

/** The CLI's one JSON document (`--json`) when it exits 0. */
export async function cliJson<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  return JSON.parse(await cliOk(args, env)) as T;
}

/** `<group> status <id> --json` every second until `done` holds of its answer (two minutes at most). */
export function cliStatusUntil<T>(
  group: 'broll' | 'explainer',
  id: string,
  env: NodeJS.ProcessEnv,
  what: string,
  done: (status: T) => boolean,
): Promise<T> {
  return pollUntil(what, () => cliJson<T>([group, 'status', id, '--json'], env), done, 120_000, 1_000);
}
