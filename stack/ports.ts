import { readFileSync } from 'node:fs';
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
  return listen(host, port).then(
    (server) => new Promise<boolean>((resolve) => server.close(() => resolve(true))),
    () => false,
  );
}

/**
 * `count` distinct ports free right now, chosen below the OS's ephemeral range when it can tell that range:
 * a port the kernel hands out for port 0 comes from the range it also takes the source ports of outgoing
 * connections from, and one of those (to S3, Temporal, the simulator) can take it between this pick and the
 * service's own bind ("address already in use").
 */
export async function pickFreePorts(host: string, count: number): Promise<number[]> {
  const range = portsBelowEphemeralRange();
  const servers: net.Server[] = [];
  try {
    // Every pick stays bound until all are made, so the ports are distinct.
    while (servers.length < count) servers.push(await listenOnFreePort(host, range));
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Ports from 10000 up to the ephemeral range's start (Linux: /proc/sys/net/ipv4/ip_local_port_range); undefined elsewhere. */
function portsBelowEphemeralRange(): { min: number; max: number } | undefined {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && low > 20_000 ? { min: 10_000, max: low - 1 } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Ports this process handed out, never handed out again by it: a service started from an earlier pick may
 * not have bound its port yet when the next pick (another service of the same stack) runs.
 */
const handedOut = new Set<number>();

async function listenOnFreePort(host: string, range: { min: number; max: number } | undefined): Promise<net.Server> {
  for (let tries = 0; range && tries < 50; tries++) {
    const port = range.min + Math.floor(Math.random() * (range.max - range.min + 1));
    if (handedOut.has(port)) continue;
    const server = await listen(host, port).catch(() => undefined);
    if (server) {
      handedOut.add(port);
      return server;
    }
  }
  return listen(host, 0);
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}
