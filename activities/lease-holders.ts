import { getClient, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { LeaseHolderLiveness, LeaseHolderRef } from '../workflows/messages';

/** Statuses of a run that will never run again; anything else (PAUSED, a status added later) counts as alive. */
const CLOSED: ReadonlySet<WorkflowExecutionStatusName> = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
]);

/**
 * Ask Temporal whether the runs holding expired leases are still open. Only an answer from Temporal
 * ("closed", "no such run") says 'gone'; any failure to get one says 'unknown', never 'gone', so an outage
 * cannot free a lease whose remote task may still be running.
 */
export async function checkLeaseHolders(holders: LeaseHolderRef[]): Promise<Record<string, LeaseHolderLiveness>> {
  const client = getClient();
  const answers = await Promise.all(
    holders.map(async (holder): Promise<[string, LeaseHolderLiveness]> => {
      try {
        const description = await client.workflow.getHandle(holder.workflowId, holder.runId).describe();
        return [holder.leaseId, CLOSED.has(description.status.name) ? 'gone' : 'running'];
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return [holder.leaseId, 'gone'];
        log.warn('could not tell whether a lease holder is alive; its lease stays', { leaseId: holder.leaseId, error: String(error) });
        return [holder.leaseId, 'unknown'];
      }
    }),
  );
  return Object.fromEntries(answers);
}
