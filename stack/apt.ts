import { spawn } from 'node:child_process';
import { findOnPath } from './executable';

export type AptAccess = { usable: true; aptGet: string } | { usable: false; reason: string };

/** Whether Debian packages can be installed here: apt-get on PATH, and root. */
export function aptAccess(env: NodeJS.ProcessEnv = process.env): AptAccess {
  const aptGet = findOnPath('apt-get', env);
  if (!aptGet) return { usable: false, reason: 'apt-get not found' };
  if (process.getuid?.() !== 0) return { usable: false, reason: 'not running as root' };
  return { usable: true, aptGet };
}

/** dpkg takes a lock: two apt-get runs side by side fail, so every install waits for the one before. */
let previous: Promise<unknown> = Promise.resolve();

/**
 * `apt-get install -y --no-install-recommends <packages>`, after `apt-get update` when the package lists do not
 * know one of them yet (they are empty on a fresh machine). Runs one at a time, without blocking this process.
 */
export function aptInstall(aptGet: string, packages: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const run = previous.then(async () => {
    if (!(await allKnown(packages))) await apt(aptGet, ['update'], env);
    await apt(aptGet, ['install', '-y', '--no-install-recommends', ...packages], env);
  });
  previous = run.catch(() => undefined);
  return run;
}

async function allKnown(packages: readonly string[]): Promise<boolean> {
  for (const name of packages) if ((await exitCode('apt-cache', ['show', name], process.env, 'ignore')) !== 0) return false;
  return true;
}

async function apt(aptGet: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const code = await exitCode(aptGet, args, { ...env, DEBIAN_FRONTEND: 'noninteractive' }, 'inherit');
  if (code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${code})`);
}

function exitCode(command: string, args: string[], env: NodeJS.ProcessEnv, stderr: 'ignore' | 'inherit'): Promise<number | null> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', stderr], timeout: 15 * 60_000 });
  return new Promise((resolve) => {
    child.once('error', () => resolve(null));
    child.once('close', (code) => resolve(code));
  });
}
