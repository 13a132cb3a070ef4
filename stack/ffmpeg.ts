import { MediaToolMissingError, resolveMediaTool } from '../infra/ffmpeg';
import { aptAccess, aptInstall } from './apt';

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
 * with apt-get, install Debian's ffmpeg package. Throws the resolver's error, which names what to install, when
 * that is not possible: the simulator and the assembly activity cannot work without them.
 */
export async function ensureFfmpeg(options: EnsureFfmpegOptions = {}): Promise<MediaTools> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const found = tryResolve(env);
  if (found) return found;
  // An override that points nowhere is a configuration mistake that installing a package would not fix.
  if (!env.FFMPEG_PATH?.trim() && !env.FFPROBE_PATH?.trim()) {
    const apt = aptAccess(env);
    if (!apt.usable) throw new MediaToolMissingError('ffmpeg', `it is missing and cannot be installed here (${apt.reason})`);
    log("installing Debian's ffmpeg for the simulator and the explainer assembly (apt-get, once)…");
    const startedAt = Date.now();
    await aptInstall(apt.aptGet, ['ffmpeg'], env).catch((error: unknown) =>
      log(`✘ ${error instanceof Error ? error.message : String(error)}`),
    );
    const installed = tryResolve(env);
    if (installed) {
      log(`✔ installed ffmpeg in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
      return installed;
    }
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
