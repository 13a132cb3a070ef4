import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { registerChildGroup, signalProcessGroup, unregisterChildGroup } from './child-registry';
import { guardAgainstOrphaning } from './orphan-guard';

export interface ManagedProcessSpec {
  /** Service name, used in messages. */
  service: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Grace period after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process in its own process group: restartable, logs to a file,
 * and killed with this process however it ends.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<ProcessExit> = new Promise(() => undefined);

  constructor(readonly spec: ManagedProcessSpec) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.spec.service} is already running (pid ${this.child.pid})`);
    const child = this.spawnDetached();
    const pid = child.pid ?? (await spawnFailure(child, this.spec));
    registerChildGroup(pid);
    guardAgainstOrphaning(pid);
    this.child = child;
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        unregisterChildGroup(pid);
        if (this.child === child) this.child = undefined;
        resolve({ code, signal });
      });
    });
  }

  /** Resolves when the current run ends (never, if nothing runs). */
  whenExited(): Promise<ProcessExit> {
    return this.exit;
  }

  /** SIGTERM to the whole group, SIGKILL after the grace period; `force` kills at once (a crash). */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signalProcessGroup(pid, options.force ? 'SIGKILL' : 'SIGTERM');
    const exitedInTime = await settlesWithin(this.exit, this.spec.stopTimeoutMs ?? 15_000);
    if (!exitedInTime) signalProcessGroup(pid, 'SIGKILL');
    await this.exit;
    signalProcessGroup(pid, 'SIGKILL'); // stragglers left in the group
  }

  private spawnDetached(): ChildProcess {
    fs.mkdirSync(path.dirname(this.spec.logFile), { recursive: true });
    const logFd = fs.openSync(this.spec.logFile, 'a');
    fs.writeSync(logFd, `\n--- ${new Date().toISOString()} start: ${this.spec.command} ${this.spec.args.join(' ')}\n`);
    try {
      return spawn(this.spec.command, [...this.spec.args], {
        cwd: this.spec.cwd,
        env: this.spec.env,
        detached: true,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      fs.closeSync(logFd);
    }
  }
}

function spawnFailure(child: ChildProcess, spec: ManagedProcessSpec): Promise<never> {
  return new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start ${spec.service} (${spec.command}): ${error.message}`)));
  });
}

function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
