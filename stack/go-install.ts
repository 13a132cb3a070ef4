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
  /** `<package>@<version>`. */
  goPackage: string;
  /** Set when the module's go.mod has replace directives: build inside the downloaded module instead of `go install`. */
  goModule?: string;
  goTags?: string[];
  /** Directory the binary is installed into (GOBIN, or `go build -o`). */
  installDir: string;
  /** Full output of the Go commands goes here. */
  logFile: string;
  /** Called every `heartbeatMs` with the elapsed minutes, so a long build shows life. */
  onHeartbeat: (elapsedMinutes: number) => void;
  heartbeatMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * No DWARF or symbol table (`-s -w`, as the tools' own release builds) makes the link step, the longest single
 * step of a cold build, shorter and the binary a third smaller; `-trimpath` keeps the machine's paths out of it.
 */
export const goBuildFlags = ['-trimpath', '-ldflags=-s -w'];

export async function goInstall(request: GoInstallRequest): Promise<void> {
  fs.mkdirSync(request.installDir, { recursive: true });
  fs.mkdirSync(path.dirname(request.logFile), { recursive: true });
  const logFd = fs.openSync(request.logFile, 'w');
  const startedAt = Date.now();
  const heartbeat = setInterval(() => request.onHeartbeat(Math.round((Date.now() - startedAt) / 60_000)), request.heartbeatMs ?? 60_000);
  try {
    const flags = [...goBuildFlags, ...(request.goTags?.length ? [`-tags=${request.goTags.join(',')}`] : [])];
    for (const args of request.goModule ? await moduleBuildSteps(request, logFd, flags) : [['install', ...flags, request.goPackage]]) {
      const exitCode = await runGo(request, args, logFd);
      if (exitCode !== 0) throw new Error(goFailure(request, args, exitCode));
    }
  } finally {
    clearInterval(heartbeat);
    fs.closeSync(logFd);
  }
}

/** `go mod download` of the module (into the module cache), then `go build` of the package inside it. */
async function moduleBuildSteps(request: GoInstallRequest, logFd: number, flags: string[]): Promise<string[][]> {
  const [packagePath, version] = request.goPackage.split('@') as [string, string];
  const module = request.goModule!;
  if (packagePath !== module && !packagePath.startsWith(`${module}/`)) throw new Error(`${packagePath} is not in module ${module}`);
  const download = ['mod', 'download', '-json', `${module}@${version}`];
  const output = await runGo(request, download, logFd, true);
  if (typeof output !== 'string') throw new Error(goFailure(request, download, output));
  const dir = (JSON.parse(output) as { Dir?: string; Error?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${module}@${version} named no directory: ${output.trim()}`);
  const binaryName = path.posix.basename(packagePath);
  return [
    ['build', '-C', dir, ...flags, '-o', path.join(request.installDir, binaryName), `./${path.posix.relative(module, packagePath) || '.'}`],
  ];
}

/** The exit code, or with `captureStdout` the standard output of a successful run. */
function runGo(request: GoInstallRequest, args: string[], logFd: number, captureStdout = false): Promise<number | null | string> {
  fs.writeSync(logFd, `$ go ${args.join(' ')}\n`);
  const child = spawn(request.goBinary, args, {
    env: { ...(request.env ?? process.env), GOBIN: request.installDir },
    stdio: ['ignore', captureStdout ? 'pipe' : logFd, logFd],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(captureStdout && code === 0 ? stdout : code));
  });
}

function goFailure(request: GoInstallRequest, args: string[], exitCode: number | null | string): string {
  const lastLines = fs.readFileSync(request.logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n  ');
  return `go ${args.join(' ')} failed (exit ${String(exitCode)}); full log: ${request.logFile}\n  ${lastLines}`;
}
