import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findOnPath, isExecutableFile } from '../executable';
import { postgresMajorVersion } from '../tool-specs';

/** Debian's layout of the postgresql-<major> package: initdb, pg_ctl, postgres, pg_isready, psql. */
export const POSTGRES_BIN_DIR = `/usr/lib/postgresql/${postgresMajorVersion}/bin`;
const debianPackage = `postgresql-${postgresMajorVersion}`;

export class PostgresUnavailableError extends Error {
  override name = 'PostgresUnavailableError';
}

/**
 * Idempotent: nothing to do when PostgreSQL's binaries are there; otherwise, as root with apt-get, installs Debian's
 * package (after `apt-get update` when the package lists do not know it yet). Only the binaries are used: the
 * production topology runs a cluster of its own, never the system's service.
 */
export function ensurePostgres(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): string {
  const log = options.log ?? ((line: string) => console.log(line));
  if (hasPostgres()) return POSTGRES_BIN_DIR;
  const aptGet = findOnPath('apt-get', options.env ?? process.env);
  if (!aptGet || process.getuid?.() !== 0)
    throw new PostgresUnavailableError(missingMessage(aptGet ? 'not running as root' : 'apt-get not found'));
  log(`installing Debian ${debianPackage} for the production topology (apt-get, once)…`);
  if (spawnSync('apt-cache', ['show', debianPackage], { stdio: 'ignore' }).status !== 0) apt(aptGet, ['update']);
  apt(aptGet, ['install', '-y', '--no-install-recommends', debianPackage]);
  if (hasPostgres()) return POSTGRES_BIN_DIR;
  throw new PostgresUnavailableError(missingMessage(`apt-get install ${debianPackage} failed`));
}

function hasPostgres(): boolean {
  return ['initdb', 'postgres', 'pg_isready', 'psql'].every((name) => isExecutableFile(path.join(POSTGRES_BIN_DIR, name)));
}

function missingMessage(reason: string): string {
  return `PostgreSQL ${postgresMajorVersion} is missing at ${POSTGRES_BIN_DIR} (${reason}); the production topology needs it: run \`apt-get install -y --no-install-recommends ${debianPackage}\` as root`;
}

function apt(aptGet: string, args: string[]): void {
  spawnSync(aptGet, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
}
