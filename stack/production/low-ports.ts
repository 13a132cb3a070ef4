import { isPortFree } from '../ports';

/**
 * Temporal stores each service's membership port in a PostgreSQL smallint (cluster_membership.rpc_port): a port the
 * OS hands out (32768 and up on Linux) does not fit. These are picked, free right now, below that range.
 */
const lowest = 20_000;
const highest = 32_767;

export async function pickFreeLowPorts(host: string, count: number): Promise<number[]> {
  const picked: number[] = [];
  for (let attempt = 0; picked.length < count; attempt += 1) {
    if (attempt > 2_000) throw new Error(`no ${count} free ports between ${lowest} and ${highest} on ${host}`);
    const port = lowest + Math.floor(Math.random() * (highest - lowest + 1));
    if (!picked.includes(port) && (await isPortFree(host, port))) picked.push(port);
  }
  return picked;
}
