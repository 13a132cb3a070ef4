import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';

/** The code a process runs: the package's version and the git commit of the checkout (with uncommitted changes or not). */
export interface CodeVersion {
  packageVersion: string;
  /** Full commit hash; undefined where the code is not a git checkout (a container image). */
  commit: string | undefined;
  /** Tracked files differ from the commit. */
  dirty: boolean;
}

export function codeVersion(root: string = repoRoot): CodeVersion {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', 'HEAD');
    return { packageVersion: version, commit, dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { packageVersion: version, commit: undefined, dirty: false };
  }
}

/**
 * A Worker Deployment build id for this code: `<version>+<12 hex of the commit>`, `.dirty` appended when tracked
 * files differ from it (two different working trees must not claim one id). Undefined without a commit: the
 * caller then needs an explicit id.
 */
export function buildIdOf(version: CodeVersion): string | undefined {
  if (!version.commit) return undefined;
  return `${version.packageVersion}+${version.commit.slice(0, 12)}${version.dirty ? '.dirty' : ''}`;
}
