import { execFile } from 'node:child_process';
import { POSTGRES_USER } from './postgres-cluster';

/** The two databases the server uses, each with the schema the v1.29.1 SQL tool embeds (no files from the module source). */
export const temporalDatabases = [
  { database: 'temporal', schemaName: 'postgresql/v12/temporal' },
  { database: 'temporal_visibility', schemaName: 'postgresql/v12/visibility' },
] as const;

/** The SQL plugin of PostgreSQL 12 and newer, in the server's config and the schema tool alike. */
export const SQL_PLUGIN = 'postgres12';

export interface SchemaSetup {
  sqlTool: string;
  host: string;
  port: number;
  password: string;
  log: (line: string) => void;
}

/**
 * Creates both databases and brings their schemas to the newest version, as Temporal's own setup does:
 * create-database, setup-schema -v 0.0 (the version tables), update-schema to the embedded versioned schema.
 * Idempotent: an existing database is kept and an up-to-date schema is left as it is.
 */
export async function setUpTemporalSchemas(setup: SchemaSetup): Promise<void> {
  for (const { database, schemaName } of temporalDatabases) {
    await runSqlTool(setup, database, ['create-database'], { allowAlreadyExists: true });
    await runSqlTool(setup, database, ['setup-schema', '-v', '0.0']);
    await runSqlTool(setup, database, ['update-schema', '--schema-name', schemaName]);
    setup.log(`✔ schema    ${database} at the newest ${schemaName} version`);
  }
}

/** With `allowAlreadyExists`, a database that is already there (SQLSTATE 42P04) is not an error. */
function runSqlTool(
  setup: SchemaSetup,
  database: string,
  command: string[],
  options: { allowAlreadyExists?: boolean } = {},
): Promise<void> {
  const args = [
    '--plugin',
    SQL_PLUGIN,
    '--endpoint',
    setup.host,
    '--port',
    String(setup.port),
    '--user',
    POSTGRES_USER,
    '--database',
    database,
    ...command,
  ];
  return new Promise((resolve, reject) => {
    // The password goes through the environment, never the command line (which `ps` shows).
    execFile(
      setup.sqlTool,
      args,
      { env: { PATH: process.env.PATH, SQL_PASSWORD: setup.password }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (!error) return resolve();
        if (options.allowAlreadyExists && /already exists|42P04/.test(output)) return resolve();
        reject(
          new Error(`temporal-sql-tool ${command.join(' ')} on ${database} failed: ${output.trim().split('\n').slice(-10).join('\n')}`),
        );
      },
    );
  });
}
