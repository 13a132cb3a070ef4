import { activityInfo, getClient } from '@temporalio/activity';
import { SLOT_ACQUIRE_SIGNAL, SLOT_POOL_WORKFLOW_TYPE, type SlotPoolState, type SlotRequest } from '../schemas';
import type { ActivityDeps } from './deps';

export interface SlotRequestInput {
  poolWorkflowId: string;
  leaseId: string;
  workflowId: string;
  runId?: string;
  leaseTtlMs: number;
}

/**
 * Ask the deployment's slot pool for a lease, starting the pool if it is not running (signal-with-start:
 * workflows cannot start a non-child workflow themselves). The grant arrives as a signal.
 */
export function createRequestGenerationSlot(deps: Pick<ActivityDeps, 'maxConcurrentGenerations' | 'slotLeaseTtlMs'>) {
  return async function requestGenerationSlot(input: SlotRequestInput): Promise<void> {
    const capacity = deps.maxConcurrentGenerations ?? 10;
    const request: SlotRequest = {
      leaseId: input.leaseId,
      workflowId: input.workflowId,
      ...(input.runId ? { runId: input.runId } : {}),
      leaseTtlMs: deps.slotLeaseTtlMs ?? input.leaseTtlMs,
      capacity,
    };
    const initial: SlotPoolState = { capacity, holders: [], waiting: [] };
    await getClient().workflow.signalWithStart(SLOT_POOL_WORKFLOW_TYPE, {
      workflowId: input.poolWorkflowId,
      taskQueue: activityInfo().taskQueue,
      args: [initial],
      signal: SLOT_ACQUIRE_SIGNAL,
      signalArgs: [request],
      staticSummary: `Runway generation slots (cap ${capacity})`,
    });
  };
}
