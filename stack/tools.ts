import fs from 'node:fs';
import path from 'node:path';
import { findOnPath, isExecutableFile } from './executable';
import { findGo, goInstall } from './go-install';
import { projectToolsBinDir, userCacheBinDir } from './paths';
import { downloadRelease } from './release-download';
import { s3ServerSpec, temporalCliSpec, type ToolSpec } from './tool-specs';

export interface ToolPaths {
  temporalCli: string;
  s3Server: string;
}

export interface EnsureToolsOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Project-local bin directory; a test points it at a temporary one. */
  projectBinDir?: string;
  /** Limit for reaching the release host before falling back to `go install`. */
  downloadConnectTimeoutMs?: number;
}

/** Raised when a binary is missing and cannot be built here. */
export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
}

/** Finds (or builds once) the Temporal CLI and the S3 server; idempotent. */
export async function ensureTools(options: EnsureToolsOptions = {}): Promise<ToolPaths> {
  const temporalCli = await ensureTool(temporalCliSpec, options);
  const s3Server = await ensureTool(s3ServerSpec, options);
  return { temporalCli, s3Server };
}

/**
 * Lookup order: `<spec.pathEnvVar>` (an explicit override beats whatever PATH happens to hold),
 * PATH, `.tools/bin`, the per-user cache; otherwise the official release archive (when the tool
 * publishes one and its host answers), else `go install`, into the per-user cache, linked into `.tools/bin`.
 */
export async function ensureTool(spec: ToolSpec, options: EnsureToolsOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const projectBinary = path.join(options.projectBinDir ?? projectToolsBinDir, spec.binaryName);
  const cachedBinary = path.join(userCacheBinDir(env), spec.binaryName);
  seedUserCache(projectBinary, cachedBinary);

  const explicit = env[spec.pathEnvVar];
  if (explicit) return requireExecutable(explicit, spec);
  const onPath = findOnPath(spec.binaryName, env);
  if (onPath) return onPath;
  if (isExecutableFile(projectBinary)) return projectBinary;
  if (!isExecutableFile(cachedBinary) && !(await downloadIntoCache(spec, cachedBinary, env, log, options)))
    await buildIntoCache(spec, cachedBinary, env, log);
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

async function downloadIntoCache(
  spec: ToolSpec,
  cachedBinary: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  options: EnsureToolsOptions,
): Promise<boolean> {
  if (!spec.release) return false;
  const startedAt = Date.now();
  log(`fetching ${spec.displayName} v${spec.release.version} (release archive, checksum verified)…`);
  const result = await downloadRelease({
    spec: { ...spec, release: spec.release },
    destination: cachedBinary,
    env,
    log,
    connectTimeoutMs: options.downloadConnectTimeoutMs,
  });
  if (!result.installed) {
    log(`  release download unavailable (${result.reason}); building from source instead`);
    return false;
  }
  log(`✔ downloaded ${spec.displayName} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${cachedBinary}`);
  return true;
}

async function buildIntoCache(spec: ToolSpec, cachedBinary: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const goBinary = findGo(env);
  if (!goBinary) throw new ToolUnavailableError(missingToolMessage(spec));
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
      installDir,
      logFile,
      env,
      onHeartbeat: (minutes) => log(`  still building ${spec.displayName}… ${minutes} min (log: ${logFile})`),
    });
    const built = fs.readdirSync(installDir);
    if (built.length !== 1) throw new ToolUnavailableError(`go install ${spec.goPackage} left ${built.length} files in ${installDir}`);
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.renameSync(path.join(installDir, built[0]!), cachedBinary);
  } finally {
    fs.rmSync(installDir, { recursive: true, force: true });
  }
  log(`✔ built ${spec.displayName} in ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${cachedBinary}`);
}

function missingToolMessage(spec: ToolSpec): string {
  return [
    `${spec.displayName} (\`${spec.binaryName}\`) was not found and Go is not installed to build it.`,
    `Either install Go (1.22 or newer, e.g. \`apt-get install golang\`) and run \`npm run tools\` again,`,
    `or put \`${spec.binaryName}\` on your PATH, or set ${spec.pathEnvVar}=/path/to/${spec.binaryName}.`,
  ].join('\n');
}
