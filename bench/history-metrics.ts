import type { Client } from '@temporalio/client';

export interface HistorySize {
  events: number;
  bytes: number | undefined;
}

/** Event count and size of a workflow's history, as the server reports them. */
export async function historySize(client: Client, workflowId: string): Promise<HistorySize> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return { events: description.historyLength, bytes: description.historySize };
}

/** events.length of each workflow's fetched history. */
export async function historyEventCounts(client: Client, workflowIds: readonly string[]): Promise<number[]> {
  const counts: number[] = [];
  for (const workflowId of workflowIds) counts.push((await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0);
  return counts;
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
