import { getClient, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { SlotHolderLiveness, SlotHolderRef } from '../schemas';

/** Statuses of a run that will never run again; anything else (PAUSED, a status added later) counts as alive. */
const CLOSED: ReadonlySet<WorkflowExecutionStatusName> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT']);

/**
 * Ask Temporal whether the runs holding expired slot leases are still open. Only an answer from Temporal
 * ("closed", "no such run") says 'gone'; any failure to get one says 'unknown', never 'gone', so an outage
 * cannot free a slot whose remote task may still be running.
 */
export async function checkSlotHolders(holders: SlotHolderRef[]): Promise<Record<string, SlotHolderLiveness>> {
  const client = getClient();
  const answers = await Promise.all(
    holders.map(async (holder): Promise<[string, SlotHolderLiveness]> => {
      try {
        const description = await client.workflow.getHandle(holder.workflowId, holder.runId).describe();
        return [holder.leaseId, CLOSED.has(description.status.name) ? 'gone' : 'running'];
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return [holder.leaseId, 'gone'];
        log.warn('could not tell whether a slot holder is alive; its lease stays', { leaseId: holder.leaseId, error: String(error) });
        return [holder.leaseId, 'unknown'];
      }
    }),
  );
  return Object.fromEntries(answers);
}
