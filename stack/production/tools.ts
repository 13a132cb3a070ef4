import { ensureTool, type EnsureToolsOptions } from '../tools';
import { temporalServerSpec, temporalSqlToolSpec, temporalUiServerSpec } from '../tool-specs';
import { ensurePostgres } from './postgres-install';

export interface ProductionToolPaths {
  temporalServer: string;
  sqlTool: string;
  uiServer: string;
  /** Directory of initdb, postgres, pg_isready, psql. */
  postgresBinDir: string;
}

/**
 * Finds (or builds once, into the per-user cache) the production topology's binaries; installs PostgreSQL if
 * missing, while they build. The builds run one after another: each keeps both cores busy on its own.
 */
export async function ensureProductionTools(options: EnsureToolsOptions = {}): Promise<ProductionToolPaths> {
  const postgres = ensurePostgres(options);
  postgres.catch(() => undefined); // awaited below, after the builds
  const temporalServer = await ensureTool(temporalServerSpec, options);
  const sqlTool = await ensureTool(temporalSqlToolSpec, options);
  const uiServer = await ensureTool(temporalUiServerSpec, options);
  return { temporalServer, sqlTool, uiServer, postgresBinDir: await postgres };
}
