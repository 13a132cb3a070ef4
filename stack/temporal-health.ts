import { Connection, type TLSConfig } from '@temporalio/client';

export interface TemporalProbe {
  address: string;
  namespace: string;
  /** Custom search attributes that must be registered. */
  searchAttributes: readonly string[];
  /** How to reach a frontend that requires TLS (the production topology's mTLS). */
  tls?: TLSConfig;
}

/**
 * Healthy = the frontend answers DescribeNamespace for `namespace` AND every
 * required custom search attribute is registered there.
 */
export async function isTemporalReady(probe: TemporalProbe): Promise<boolean> {
  const connection = await Connection.connect({ address: probe.address, connectTimeout: '2s', ...(probe.tls ? { tls: probe.tls } : {}) });
  try {
    await connection.workflowService.describeNamespace({ namespace: probe.namespace });
    const registered = await listCustomSearchAttributes(connection, probe.namespace);
    return probe.searchAttributes.every((name) => registered.includes(name));
  } finally {
    await connection.close();
  }
}

export async function listCustomSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.keys(response.customAttributes ?? {});
}
