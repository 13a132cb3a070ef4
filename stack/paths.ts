import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../infra/paths';

/** Project-local tool binaries, git-ignored. */
export const projectToolsBinDir = path.join(repoRoot, '.tools', 'bin');

/**
 * Per-user cache shared by every clone on this machine, so a fresh clone
 * (as CI makes) does not rebuild the Go binaries.
 */
export function userCacheBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'runway-temporal', 'bin');
}
