import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalTlsEnvKey } from '../../infra/stack-env';
import { createCertificateAuthority } from '../certificates';

/** The PEM files of the topology's mTLS: who signs, what the server shows, what its clients show. */
export interface TemporalTlsFiles {
  /** A DNS name the server's certificate holds, for clients to verify (SNI takes no IP address). */
  serverName: string;
  /** The CA that signed the server's and the clients' certificates: clients trust it, the server requires it. */
  caCert: string;
  /** The Temporal server's certificate (frontend and internode: server and client authentication). */
  serverCert: string;
  serverKey: string;
  /** The certificate every worker replica, client, CLI and the UI server present. */
  clientCert: string;
  clientKey: string;
}

/**
 * The topology's certificates in `dir` (`<dataDir>/production/tls`), made once with a CA of its own: a restart
 * keeps them, so clients configured from stack.env stay valid. The CA's key is not kept: nothing else is ever
 * signed with it. The server's certificate names `hosts` (the interface it binds to, and localhost).
 */
export function ensureTemporalTls(dir: string, hosts: readonly string[]): TemporalTlsFiles {
  const files: TemporalTlsFiles = {
    serverName: hosts.find((host) => !isIP(host)) ?? 'localhost',
    caCert: path.join(dir, 'ca.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server-key.pem'),
    clientCert: path.join(dir, 'client.pem'),
    clientKey: path.join(dir, 'client-key.pem'),
  };
  const pems = [files.caCert, files.serverCert, files.serverKey, files.clientCert, files.clientKey];
  if (pems.every((file) => fs.existsSync(file))) return files;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = createCertificateAuthority('runway-temporal production stack CA');
  const server = ca.issue({
    commonName: 'temporal-server',
    hosts: [...new Set([...hosts, 'localhost', '127.0.0.1'])],
    usage: 'server-and-client',
  });
  const client = ca.issue({ commonName: 'runway-temporal-client', usage: 'client' });
  const write = (file: string, pem: string, mode: number) => {
    fs.writeFileSync(file, pem, { mode });
    fs.chmodSync(file, mode);
  };
  write(files.caCert, ca.certPem, 0o644);
  write(files.serverCert, server.certPem, 0o644);
  write(files.serverKey, server.keyPem, 0o600);
  write(files.clientCert, client.certPem, 0o644);
  write(files.clientKey, client.keyPem, 0o600);
  return files;
}

/** The TEMPORAL_TLS_* settings (stack.env) with which a worker, client or CLI connects to the topology. */
export function temporalTlsEnv(files: TemporalTlsFiles): Record<TemporalTlsEnvKey, string> {
  return {
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: files.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: files.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: files.clientKey,
    TEMPORAL_TLS_SERVER_NAME: files.serverName,
  };
}

/** The same, as the Temporal SDK's connection options (the stack's own probes). */
export function temporalTlsConfig(files: TemporalTlsFiles): TLSConfig {
  return {
    serverRootCACertificate: fs.readFileSync(files.caCert),
    clientCertPair: { crt: fs.readFileSync(files.clientCert), key: fs.readFileSync(files.clientKey) },
    serverNameOverride: files.serverName,
  };
}
