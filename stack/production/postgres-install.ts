import path from 'node:path';
import { aptAccess, aptInstall } from '../apt';
import { isExecutableFile } from '../executable';
import { postgresMajorVersion } from '../tool-specs';

/** Debian's layout of the postgresql-<major> package: initdb, pg_ctl, postgres, pg_isready, psql. */
export const POSTGRES_BIN_DIR = `/usr/lib/postgresql/${postgresMajorVersion}/bin`;
const debianPackage = `postgresql-${postgresMajorVersion}`;

export class PostgresUnavailableError extends Error {
  override name = 'PostgresUnavailableError';
}

/**
 * Idempotent: nothing to do when PostgreSQL's binaries are there; otherwise, as root with apt-get, installs Debian's
 * package. Only the binaries are used: the
 * production topology runs a cluster of its own, never the system's service.
 */
export async function ensurePostgres(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (hasPostgres()) return POSTGRES_BIN_DIR;
  const apt = aptAccess(options.env ?? process.env);
  if (!apt.usable) throw new PostgresUnavailableError(missingMessage(apt.reason));
  log(`installing Debian ${debianPackage} for the production topology (apt-get, once)…`);
  await aptInstall(apt.aptGet, [debianPackage], options.env).catch((error: unknown) => log(`✘ ${String(error)}`));
  if (hasPostgres()) return POSTGRES_BIN_DIR;
  throw new PostgresUnavailableError(missingMessage(`apt-get install ${debianPackage} failed`));
}

function hasPostgres(): boolean {
  return ['initdb', 'postgres', 'pg_isready', 'psql'].every((name) => isExecutableFile(path.join(POSTGRES_BIN_DIR, name)));
}

function missingMessage(reason: string): string {
  return `PostgreSQL ${postgresMajorVersion} is missing at ${POSTGRES_BIN_DIR} (${reason}); the production topology needs it: run \`apt-get install -y --no-install-recommends ${debianPackage}\` as root`;
}
