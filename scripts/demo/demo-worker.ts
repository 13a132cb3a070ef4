import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const projectRoot = path.resolve(__dirname, '..', '..');

export interface DemoWorker {
  stop(): Promise<void>;
}

/** The real worker (`worker/main.ts`) as a child process, resolved once it logs "worker ready". */
export async function startDemoWorker(env: NodeJS.ProcessEnv, logFile: string): Promise<DemoWorker> {
  const fs = await import('node:fs');
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('"worker ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited (code ${code}) before it was ready; see ${logFile}`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
