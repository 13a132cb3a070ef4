import { getClient, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { GenerationResult } from '../schemas';

export interface ClosedChild {
  workflowId: string;
  /** Temporal's status name: COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT (or NOT_FOUND). */
  status: string;
  /** A completed child's result. */
  result?: GenerationResult;
}

/**
 * Which of a campaign's open children have closed, as Temporal records them. A child reports its end by
 * signal; one that cannot (terminated by an operator, timed out) would otherwise hold its campaign open
 * for ever, so the campaign asks here when no child has ended for a while.
 */
export async function closedChildren(workflowIds: string[]): Promise<ClosedChild[]> {
  const closed: ClosedChild[] = [];
  for (let start = 0; start < workflowIds.length; start += 20) {
    heartbeat();
    await Promise.all(
      workflowIds.slice(start, start + 20).map(async (workflowId) => {
        const handle = getClient().workflow.getHandle(workflowId);
        try {
          const { status } = await handle.describe();
          if (status.name === 'RUNNING') return;
          closed.push({
            workflowId,
            status: status.name,
            ...(status.name === 'COMPLETED' ? { result: (await handle.result()) as GenerationResult } : {}),
          });
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) closed.push({ workflowId, status: 'NOT_FOUND' });
          else throw error;
        }
      }),
    );
  }
  return closed;
}
