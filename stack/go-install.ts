import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath, isExecutableFile } from './executable';

const wellKnownGoBinaries = ['/usr/local/go/bin/go', '/usr/lib/go/bin/go', path.join(os.homedir(), 'go', 'bin', 'go')];

/** The `go` toolchain binary, if this machine has one. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('go', env) ?? wellKnownGoBinaries.find(isExecutableFile);
}

export interface GoInstallRequest {
  goBinary: string;
  goPackage: string;
  /** Directory the binary is installed into (GOBIN). */
  installDir: string;
  /** Full output of `go install` goes here. */
  logFile: string;
  /** Called every `heartbeatMs` with the elapsed minutes, so a long build shows life. */
  onHeartbeat: (elapsedMinutes: number) => void;
  heartbeatMs?: number;
  env?: NodeJS.ProcessEnv;
}

export async function goInstall(request: GoInstallRequest): Promise<void> {
  fs.mkdirSync(request.installDir, { recursive: true });
  fs.mkdirSync(path.dirname(request.logFile), { recursive: true });
  const logFd = fs.openSync(request.logFile, 'w');
  const startedAt = Date.now();
  const heartbeat = setInterval(() => request.onHeartbeat(Math.round((Date.now() - startedAt) / 60_000)), request.heartbeatMs ?? 60_000);
  try {
    const exitCode = await runGo(request, logFd);
    if (exitCode !== 0) throw new Error(goInstallFailure(request, exitCode));
  } finally {
    clearInterval(heartbeat);
    fs.closeSync(logFd);
  }
}

function runGo(request: GoInstallRequest, logFd: number): Promise<number | null> {
  const child = spawn(request.goBinary, ['install', request.goPackage], {
    env: { ...(request.env ?? process.env), GOBIN: request.installDir },
    stdio: ['ignore', logFd, logFd],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

function goInstallFailure(request: GoInstallRequest, exitCode: number | null): string {
  const lastLines = fs.readFileSync(request.logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n  ');
  return `go install ${request.goPackage} failed (exit ${exitCode}); full log: ${request.logFile}\n  ${lastLines}`;
}
