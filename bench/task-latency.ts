import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { round } from './resource-sampler';

/** Distribution of one latency, ms. */
export interface LatencyStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** Where a workflow's wall time goes between events: task queues (schedule → start) and task processing. */
export interface TaskLatencies {
  workflowTaskScheduleToStart: LatencyStats;
  workflowTaskStartToComplete: LatencyStats;
  activityScheduleToStart: Record<string, LatencyStats>;
}

type Long = number | { toNumber(): number };
interface HistoryEventLike {
  eventId?: Long | null;
  eventTime?: Parameters<typeof tsToMs>[0];
  workflowTaskStartedEventAttributes?: { scheduledEventId?: Long | null } | null;
  workflowTaskCompletedEventAttributes?: { startedEventId?: Long | null } | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: Long | null } | null;
}

/** Task latencies read from the event timestamps of these workflows' histories. */
export async function taskLatencies(client: Client, workflowIds: readonly string[]): Promise<TaskLatencies> {
  const wftQueue: number[] = [];
  const wftRun: number[] = [];
  const activityQueue = new Map<string, number[]>();
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    collect((history.events ?? []) as HistoryEventLike[], wftQueue, wftRun, activityQueue);
  }
  return {
    workflowTaskScheduleToStart: stats(wftQueue),
    workflowTaskStartToComplete: stats(wftRun),
    activityScheduleToStart: Object.fromEntries([...activityQueue].map(([type, values]) => [type, stats(values)])),
  };
}

function collect(events: HistoryEventLike[], wftQueue: number[], wftRun: number[], activityQueue: Map<string, number[]>): void {
  const timeOf = new Map<number, number>();
  const activityTypeOf = new Map<number, string>();
  for (const event of events) {
    const id = toNumber(event.eventId);
    const at = tsToMs(event.eventTime);
    timeOf.set(id, at);
    const since = (ref: Long | null | undefined) => at - (timeOf.get(toNumber(ref)) ?? at);
    if (event.workflowTaskStartedEventAttributes) wftQueue.push(since(event.workflowTaskStartedEventAttributes.scheduledEventId));
    if (event.workflowTaskCompletedEventAttributes) wftRun.push(since(event.workflowTaskCompletedEventAttributes.startedEventId));
    if (event.activityTaskScheduledEventAttributes)
      activityTypeOf.set(id, event.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    if (event.activityTaskStartedEventAttributes) {
      const scheduledId = toNumber(event.activityTaskStartedEventAttributes.scheduledEventId);
      const type = activityTypeOf.get(scheduledId) ?? '?';
      activityQueue.set(type, [...(activityQueue.get(type) ?? []), since(scheduledId)]);
    }
  }
}

function toNumber(value: Long | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function stats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return { count: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    count: sorted.length,
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 1),
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}
