import fs from 'node:fs';
import path from 'node:path';

/**
 * Where ffmpeg and ffprobe come from, for every room (the worker's assembly, the simulator's media, the
 * tests): `FFMPEG_PATH` / `FFPROBE_PATH`, else the first on `PATH`, else Debian's `/usr/bin`. Debian's
 * package is the project's source (security-maintained, installed by `npm run tools` and the Docker image);
 * an override pointing at no executable is an error, never a silent fall-back to another binary.
 */
export type MediaTool = 'ffmpeg' | 'ffprobe';

const OVERRIDE_VARIABLE: Record<MediaTool, 'FFMPEG_PATH' | 'FFPROBE_PATH'> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };

/** Where Debian's ffmpeg package puts both binaries (also found when PATH is stripped, as under some supervisors). */
export const DEBIAN_MEDIA_TOOL_DIR = '/usr/bin';

export const INSTALL_FFMPEG_ADVICE =
  "install Debian's ffmpeg (`apt-get install -y --no-install-recommends ffmpeg` as root; `npm run tools` does it when run as root) or set FFMPEG_PATH and FFPROBE_PATH to the binaries";

/** A media tool that cannot be found: the message names what to install. */
export class MediaToolMissingError extends Error {
  constructor(
    readonly tool: MediaTool,
    reason: string,
  ) {
    super(`${tool} not found: ${reason}; ${INSTALL_FFMPEG_ADVICE}`);
    this.name = 'MediaToolMissingError';
  }
}

export function resolveMediaTool(tool: MediaTool, env: NodeJS.ProcessEnv = process.env): string {
  const variable = OVERRIDE_VARIABLE[tool];
  const override = env[variable]?.trim();
  if (override) {
    if (isExecutableFile(override)) return override;
    throw new MediaToolMissingError(tool, `${variable}=${override} is not an executable file`);
  }
  const onPath = findOnPath(tool, env);
  if (onPath) return onPath;
  const debian = path.join(DEBIAN_MEDIA_TOOL_DIR, tool);
  if (isExecutableFile(debian)) return debian;
  throw new MediaToolMissingError(tool, `${variable} is not set and there is no ${tool} on PATH or at ${debian}`);
}

export function ffmpegPath(env?: NodeJS.ProcessEnv): string {
  return resolveMediaTool('ffmpeg', env);
}

export function ffprobePath(env?: NodeJS.ProcessEnv): string {
  return resolveMediaTool('ffprobe', env);
}

function isExecutableFile(filePath: string): boolean {
  try {
    if (!fs.statSync(filePath).isFile()) return false;
    fs.accessSync(filePath, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const directory of (env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}
