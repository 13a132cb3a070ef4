import { activityInfo, getClient } from '@temporalio/activity';
import { acquireLeaseSignal, LEASE_POOL_WORKFLOW_TYPE, type LeasePoolState, type LeaseRequest } from '../workflows/messages';
import type { ActivityDeps } from './deps';

export interface LeaseRequestInput {
  poolWorkflowId: string;
  leaseId: string;
  workflowId: string;
  runId: string;
  leaseTtlMs: number;
}

/**
 * Ask the deployment's lease pool for a lease, starting the pool if it is not running (signal-with-start:
 * workflows cannot start a non-child workflow themselves). The grant arrives as a signal.
 */
export function createRequestGenerationLease(deps: Pick<ActivityDeps, 'maxConcurrentGenerations' | 'leaseTtlMs'>) {
  return async function requestGenerationLease(input: LeaseRequestInput): Promise<void> {
    const capacity = deps.maxConcurrentGenerations ?? 10;
    const request: LeaseRequest = {
      leaseId: input.leaseId,
      workflowId: input.workflowId,
      runId: input.runId,
      leaseTtlMs: deps.leaseTtlMs ?? input.leaseTtlMs,
      capacity,
    };
    const initial: LeasePoolState = { capacity, holders: [], waiting: [] };
    await getClient().workflow.signalWithStart(LEASE_POOL_WORKFLOW_TYPE, {
      workflowId: input.poolWorkflowId,
      taskQueue: activityInfo().taskQueue,
      args: [initial],
      signal: acquireLeaseSignal,
      signalArgs: [request],
      staticSummary: `Runway generation leases (cap ${capacity})`,
    });
  };
}
