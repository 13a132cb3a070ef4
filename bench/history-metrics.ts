import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';

export interface HistorySize {
  events: number;
  bytes: number | undefined;
}

/** Event count and size of a workflow's history, as the server reports them. */
export async function historySize(client: Client, workflowId: string): Promise<HistorySize> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return { events: description.historyLength, bytes: description.historySize };
}

/** How many events of each type one workflow's history holds (where the events go). */
export async function historyEventTypes(client: Client, workflowId: string): Promise<Record<string, number>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const counts: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const type = eventTypeName(event as unknown as Record<string, unknown>);
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** The name of the one `…EventAttributes` field an event carries, without the suffix. */
function eventTypeName(event: Record<string, unknown>): string {
  const key = Object.keys(event).find((name) => name.endsWith('EventAttributes') && event[name] != null);
  return key ? key.replace(/EventAttributes$/, '') : 'unknown';
}

/** A spread of the campaign's children: first, last and evenly between. */
export function sampleIds<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, index) => items[Math.round((index * (items.length - 1)) / (count - 1))] as T);
}

interface SignalEventLike {
  eventTime?: Parameters<typeof tsToMs>[0];
  workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string | null } | null;
  signalExternalWorkflowExecutionInitiatedEventAttributes?: object | null;
  workflowExecutionSignaledEventAttributes?: object | null;
}

/** What one run's stored history holds: its events and the signals it sent and received (within a window when given). */
export interface RunHistoryFacts {
  runId: string;
  events: number;
  bytes: number | undefined;
  signalsSent: number;
  signalsReceived: number;
  startedAtMs: number;
  /** The run this one continued as new from. */
  continuedFrom: string | undefined;
}

/** [from, to] in epoch ms: only events in it count (a long-lived workflow, like the lease pool, over one round). */
export type TimeWindow = readonly [number, number];

export async function runHistoryFacts(client: Client, workflowId: string, runId?: string, window?: TimeWindow): Promise<RunHistoryFacts> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  const events = (history.events ?? []) as SignalEventLike[];
  const facts: RunHistoryFacts = {
    runId: description.runId,
    events: 0,
    bytes: description.historySize,
    signalsSent: 0,
    signalsReceived: 0,
    startedAtMs: events[0] ? tsToMs(events[0].eventTime) : 0,
    continuedFrom: events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined,
  };
  for (const event of events) {
    const at = tsToMs(event.eventTime);
    if (window && (at < window[0] || at > window[1])) continue;
    facts.events += 1;
    if (event.signalExternalWorkflowExecutionInitiatedEventAttributes) facts.signalsSent += 1;
    if (event.workflowExecutionSignaledEventAttributes) facts.signalsReceived += 1;
  }
  return facts;
}

/**
 * Every run of a continue-as-new chain, oldest first, walked back from the latest through each start
 * event's continuedExecutionRunId (no visibility query, so nothing lags); with a window, only the runs
 * that overlap it, counting only its events.
 */
export async function runChain(client: Client, workflowId: string, window?: TimeWindow): Promise<RunHistoryFacts[]> {
  const runs: RunHistoryFacts[] = [];
  let runId: string | undefined;
  for (;;) {
    const facts = await runHistoryFacts(client, workflowId, runId, window);
    runs.unshift(facts);
    if (!facts.continuedFrom || (window && facts.startedAtMs < window[0])) return runs;
    runId = facts.continuedFrom;
  }
}

/** Events and signals (sent + received) of each workflow's latest run, fetched a few at a time. */
export async function videoHistoryFacts(client: Client, workflowIds: readonly string[]): Promise<RunHistoryFacts[]> {
  return mapLimited(workflowIds, 8, (workflowId) => runHistoryFacts(client, workflowId));
}

export function signalsOf(runs: readonly RunHistoryFacts[]): number {
  return runs.reduce((sum, run) => sum + run.signalsSent + run.signalsReceived, 0);
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
