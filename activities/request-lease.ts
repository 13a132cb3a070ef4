import { LEASE_POOL_PRIORITY } from '../schemas/priority-classes';
import { activityInfo, getClient } from '@temporalio/activity';
import { acquireLeaseSignal, LEASE_POOL_WORKFLOW_TYPE, type LeasePoolState, type LeaseRequest } from '../workflows/messages';
import type { PriorityClass } from '../schemas/priority';
import type { ActivityDeps } from './deps';

export interface LeaseRequestInput {
  poolWorkflowId: string;
  leaseId: string;
  workflowId: string;
  runId: string;
  leaseTtlMs: number;
  model: string;
  credits: number;
  priority: PriorityClass;
  workload: string;
  /** A slot held for a generation about to start (LeaseRequest.reservation). */
  reservation?: boolean;
}

/**
 * Ask the deployment's lease pool for a lease, starting the pool if it is not running (signal-with-start:
 * workflows cannot start a non-child workflow themselves). The grant arrives as a signal. The request
 * carries no capacity: the pool reads the workspace's limits itself, whichever replica asks.
 */
export function createRequestGenerationLease(deps: Pick<ActivityDeps, 'leaseTtlMs'>) {
  return async function requestGenerationLease(input: LeaseRequestInput): Promise<void> {
    const request: LeaseRequest = {
      leaseId: input.leaseId,
      workflowId: input.workflowId,
      runId: input.runId,
      leaseTtlMs: deps.leaseTtlMs ?? input.leaseTtlMs,
      model: input.model,
      credits: input.credits,
      priority: input.priority,
      workload: input.workload,
      ...(input.reservation ? { reservation: true } : {}),
    };
    const initial: LeasePoolState = { usage: {}, holders: [], waiting: [] };
    await getClient().workflow.signalWithStart(LEASE_POOL_WORKFLOW_TYPE, {
      workflowId: input.poolWorkflowId,
      taskQueue: activityInfo().taskQueue,
      args: [initial],
      signal: acquireLeaseSignal,
      signalArgs: [request],
      staticSummary: 'Runway generation leases: per-model caps and daily quotas from the workspace',
      priority: LEASE_POOL_PRIORITY,
    });
  };
}
