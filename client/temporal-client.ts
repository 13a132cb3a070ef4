import { Client, Connection } from '@temporalio/client';
import { parseEnv, temporalEnvSchema, type TemporalEnv } from '../schemas/env';
import { temporalConnectionOptions } from './connection-options';

export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** A Temporal client from the standard TEMPORAL_* environment. */
export async function connectTemporal(env: NodeJS.ProcessEnv = process.env): Promise<{ client: Client; config: TemporalEnv }> {
  const config = parseEnv(temporalEnvSchema, env);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '5s' });
  } catch (error) {
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${(error as Error).message}); start it with \`npm run stack\` or set TEMPORAL_ADDRESS`,
    );
  }
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config };
}
