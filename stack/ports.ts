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
 * `count` distinct ports free right now, from this process's slice of the range (see portRange). A pick is
 * only a promise: the service binds the port later, so the range keeps every pick away from the two other
 * takers that could bind it first — the kernel's ephemeral range (the source ports of outgoing
 * connections to S3, Temporal, the simulator) and the other jest workers, which pick at the same time.
 */
export async function pickFreePorts(host: string, count: number): Promise<number[]> {
  const range = portRange();
  const servers: net.Server[] = [];
  try {
    // Every pick stays bound until all are made, so the ports are distinct.
    while (servers.length < count) servers.push(await listenOnFreePort(host, range));
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Jest workers get slices of their own, by JEST_WORKER_ID (1, 2…; 0 for the parent, which runs the global setup). */
const slices = 8;
const lowest = 10_000;
/**
 * Temporal stores each service's membership port in a PostgreSQL smallint (cluster_membership.rpc_port), so
 * every pick fits one; the range also ends below the OS's ephemeral range where it can be read (Linux:
 * /proc/sys/net/ipv4/ip_local_port_range).
 */
export function portRange(workerId = process.env.JEST_WORKER_ID): { min: number; max: number } {
  const highest = Math.min(32_767, ephemeralRangeStart() - 1);
  const size = Math.floor((highest - lowest + 1) / slices);
  const slice = Number(workerId ?? 0) % slices;
  return { min: lowest + slice * size, max: lowest + (slice + 1) * size - 1 };
}

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && low > 20_000 ? low : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * Ports this process handed out, never handed out again by it: a service started from an earlier pick may
 * not have bound its port yet when the next pick (another service of the same stack) runs.
 */
const handedOut = new Set<number>();

async function listenOnFreePort(host: string, range: { min: number; max: number }): Promise<net.Server> {
  for (let tries = 0; tries < 1_000; tries++) {
    const port = range.min + Math.floor(Math.random() * (range.max - range.min + 1));
    if (handedOut.has(port)) continue;
    const server = await listen(host, port).catch(() => undefined);
    if (server) {
      handedOut.add(port);
      return server;
    }
  }
  throw new Error(`no free port between ${range.min} and ${range.max} on ${host} after 1000 tries`);
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}
