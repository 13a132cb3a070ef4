import { spawnSync } from 'node:child_process';
import { INSTALL_FFMPEG_ADVICE, MediaToolMissingError, resolveMediaTool } from '../infra/ffmpeg';
import { findOnPath } from './executable';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
}

export interface EnsureFfmpegOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * Idempotent: nothing to do when ffmpeg and ffprobe resolve (overrides, PATH, /usr/bin); otherwise, as root
 * with apt-get, install Debian's ffmpeg package (after `apt-get update` when the package lists do not know
 * it yet). Throws the resolver's error, which names what to install, when that is not possible: the
 * simulator and the assembly activity cannot work without them.
 */
export function ensureFfmpeg(options: EnsureFfmpegOptions = {}): MediaTools {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const found = tryResolve(env);
  if (found) return found;
  const explicit = env.FFMPEG_PATH?.trim() || env.FFPROBE_PATH?.trim();
  const aptGet = findOnPath('apt-get', env);
  // An override that points nowhere is a configuration mistake that installing a package would not fix.
  if (!explicit && aptGet && process.getuid?.() === 0) {
    log("installing Debian's ffmpeg for the simulator and the explainer assembly (apt-get, once)…");
    if (!aptKnows('ffmpeg')) apt(aptGet, ['update']);
    apt(aptGet, ['install', '-y', '--no-install-recommends', 'ffmpeg']);
    const installed = tryResolve(env);
    if (installed) return installed;
  } else if (!explicit) {
    log(`✘ ffmpeg is missing (${aptGet ? 'not running as root' : 'apt-get not found'}): ${INSTALL_FFMPEG_ADVICE}`);
  }
  return { ffmpeg: resolveMediaTool('ffmpeg', env), ffprobe: resolveMediaTool('ffprobe', env) };
}

function tryResolve(env: NodeJS.ProcessEnv): MediaTools | undefined {
  try {
    return { ffmpeg: resolveMediaTool('ffmpeg', env), ffprobe: resolveMediaTool('ffprobe', env) };
  } catch (error) {
    if (error instanceof MediaToolMissingError) return undefined;
    throw error;
  }
}

/** Whether the local package lists have a candidate (they are empty before the first update). */
function aptKnows(name: string): boolean {
  return spawnSync('apt-cache', ['show', name], { stdio: 'ignore' }).status === 0;
}

function apt(aptGet: string, args: string[]): boolean {
  const result = spawnSync(aptGet, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
  return result.status === 0;
}
