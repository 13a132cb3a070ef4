import net from 'node:net';

/** A port the stack needs, named for error messages. */
export interface PortClaim {
  port: number;
  /** e.g. "Temporal frontend" */
  service: string;
  /** Environment variable that moves it, e.g. "TEMPORAL_PORT" */
  envVar: string;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(readonly claim: PortClaim) {
    super(`port ${claim.port} is in use (${claim.service}): stop the other process or set ${claim.envVar}`);
  }
}

/** Rejects with a PortInUseError naming the first taken port. */
export async function assertPortsFree(host: string, claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (!(await isPortFree(host, claim.port))) throw new PortInUseError(claim);
  }
}

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports the OS reports free right now. */
export async function pickFreePorts(host: string, count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listenOnAnyPort(host)));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function listenOnAnyPort(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => resolve(server));
  });
}
