import { RunwayTemporal } from '../runway-temporal';

/** The typed client from the environment for one command, closed when it is done. */
export async function withClient<T>(run: (api: RunwayTemporal) => Promise<T>): Promise<T> {
  const api = await RunwayTemporal.fromEnv();
  try {
    return await run(api);
  } finally {
    await api.close();
  }
}

/** stdout carries results (one JSON document with --json); stderr carries progress and errors. */
export const out = (line: string) => process.stdout.write(`${line}\n`);
export const err = (line: string) => process.stderr.write(`${line}\n`);
