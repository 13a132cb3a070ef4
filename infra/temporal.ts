import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { parseEnv, temporalEnvSchema, type TemporalEnv } from '../schemas/env';
import { dataConverterFromEnv } from './data-converter';
import { diagnoseTemporalTls } from './temporal-tls-diagnosis';

export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** A Temporal client from the standard TEMPORAL_* environment, encrypting payloads when PAYLOAD_CODEC_* keys are set. */
export async function connectTemporal(env: NodeJS.ProcessEnv = process.env): Promise<{ client: Client; config: TemporalEnv }> {
  const config = parseEnv(temporalEnvSchema, env);
  // Keys before the connection: a bad key must not leave a connection open behind its error.
  const dataConverter = temporalDataConverter(config);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '5s' });
  } catch (error) {
    throw await temporalConnectFailure(config, error);
  }
  return { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, ...(dataConverter ? { dataConverter } : {}) }), config };
}

/** The error a failed connection ends with: TLS's own reason when TLS is why (a wrong CA, no client certificate), else unreachable. */
export async function temporalConnectFailure(config: TemporalEnv, error: unknown): Promise<TemporalUnreachableError> {
  const tlsReason = await diagnoseTemporalTls(config).catch(() => undefined);
  if (tlsReason) return new TemporalUnreachableError(`cannot connect to Temporal at ${config.TEMPORAL_ADDRESS} over TLS: ${tlsReason}`);
  return new TemporalUnreachableError(
    `cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${(error as Error).message}); start it with \`npm run stack\` or set TEMPORAL_ADDRESS`,
  );
}

/** The product's data converter from the parsed environment (undefined without codec keys: the SDK defaults). */
export function temporalDataConverter(env: Pick<TemporalEnv, 'PAYLOAD_CODEC_KEYS' | 'PAYLOAD_CODEC_KEY_FILE'>): DataConverter | undefined {
  return dataConverterFromEnv({ PAYLOAD_CODEC_KEYS: env.PAYLOAD_CODEC_KEYS, PAYLOAD_CODEC_KEY_FILE: env.PAYLOAD_CODEC_KEY_FILE });
}

/** TLS / API key options shared by the worker's NativeConnection and the client's Connection. */
export function temporalConnectionOptions(env: TemporalEnv) {
  const clientCert = env.TEMPORAL_TLS_CLIENT_CERT_PATH ? readFileSync(env.TEMPORAL_TLS_CLIENT_CERT_PATH) : undefined;
  const clientKey = env.TEMPORAL_TLS_CLIENT_KEY_PATH ? readFileSync(env.TEMPORAL_TLS_CLIENT_KEY_PATH) : undefined;
  const serverRootCACertificate = env.TEMPORAL_TLS_SERVER_CA_CERT_PATH ? readFileSync(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH) : undefined;
  const tlsWanted = env.TEMPORAL_TLS === 'true' || clientCert !== undefined || env.TEMPORAL_API_KEY !== undefined;
  const tls = tlsWanted
    ? {
        ...(clientCert && clientKey ? { clientCertPair: { crt: clientCert, key: clientKey } } : {}),
        ...(serverRootCACertificate ? { serverRootCACertificate } : {}),
        ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : undefined;
  return {
    address: env.TEMPORAL_ADDRESS,
    ...(tls ? { tls } : {}),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
  };
}
