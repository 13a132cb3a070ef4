import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCertificateAuthority, type CertificatePair } from '../../stack/certificates';

/** A test CA and one server certificate for every name and address the tests' HTTPS servers answer as. */
export function testServerCertificates(): { caPem: string; server: CertificatePair } {
  const ca = createCertificateAuthority('runway-temporal test CA', 2);
  const server = ca.issue({
    commonName: 'test server',
    hosts: ['localhost', 'images.example.com', 'metadata.example.com', '127.0.0.1', '127.0.0.2', '::1'],
    usage: 'server',
    days: 2,
  });
  return { caPem: ca.certPem, server };
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface TestHttpsServer {
  /** `https://<host>:<port>` */
  origin: string;
  port: number;
  /** Every request the server received, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTPS server on `host` (any 127.0.0.0/8 address answers on Linux), recording each request. */
export async function startHttpsServer(
  certificate: CertificatePair,
  host: string,
  handler: (request: IncomingMessage, response: ServerResponse, server: TestHttpsServer) => void,
): Promise<TestHttpsServer> {
  const seen: SeenRequest[] = [];
  const server = https.createServer({ cert: certificate.certPem, key: certificate.keyPem });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const running: TestHttpsServer = {
    origin: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    seen.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    handler(request, response, running);
  });
  return running;
}
