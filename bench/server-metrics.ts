/**
 * The Temporal server's own counters, read from its Prometheus `/metrics`: the RPCs it served and the
 * persistence operations it ran, by operation. Two snapshots around a round say what the round cost the
 * server, counted rather than inferred from CPU.
 */
export type OperationCounts = Record<string, number>;

export interface ServerCounters {
  /** Frontend RPCs by operation (`service_requests`), the round-trips a worker or client makes. */
  rpcs: OperationCounts;
  /** Persistence operations by operation (`persistence_requests`), the database work behind them. */
  persistence: OperationCounts;
}

export async function readServerCounters(metricsUrl: string): Promise<ServerCounters> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`GET ${metricsUrl}: ${response.status}`);
  return parseServerCounters(await response.text());
}

/** Sums each counter's samples by their `operation` label; the frontend's RPCs only (the history and matching services count their own internal calls). */
export function parseServerCounters(text: string): ServerCounters {
  const counters: ServerCounters = { rpcs: {}, persistence: {} };
  for (const line of text.split('\n')) {
    const match = /^(service_requests|persistence_requests)\{([^}]*)\}\s+([0-9.eE+-]+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1]!, label[2]!]));
    const operation = labels.operation;
    if (!operation) continue;
    if (match[1] === 'service_requests') {
      if (labels.service_name !== 'frontend') continue;
      counters.rpcs[operation] = (counters.rpcs[operation] ?? 0) + Number(match[3]);
    } else {
      counters.persistence[operation] = (counters.persistence[operation] ?? 0) + Number(match[3]);
    }
  }
  return counters;
}

/** What happened between two snapshots, operations that did not move left out. */
export function counterDelta(before: ServerCounters, after: ServerCounters): ServerCounters {
  const delta = (a: OperationCounts, b: OperationCounts) =>
    Object.fromEntries(
      Object.entries(b)
        .map(([operation, value]) => [operation, value - (a[operation] ?? 0)] as const)
        .filter(([, value]) => value > 0)
        .sort((x, y) => y[1] - x[1]),
    );
  return { rpcs: delta(before.rpcs, after.rpcs), persistence: delta(before.persistence, after.persistence) };
}

export function total(counts: OperationCounts): number {
  return Object.values(counts).reduce((sum, value) => sum + value, 0);
}
