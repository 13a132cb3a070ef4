import { getClient } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { leaseGrantedSignal, leaseQuotaWaitSignal, leaseRefusedSignal, type LeaseNotice } from '../workflows/messages';

/**
 * The lease pool's grants, refusals and quota waits of one workflow task, signalled straight to their
 * requesters. As a local activity this is one marker in the pool's history, where a signal the pool sent
 * itself would be two events per requester and a workflow task to learn it landed. Returns the lease ids
 * whose requester is gone (closed, or no such workflow): their leases go to the next in line. Any other
 * failure fails the call, and the pool delivers them all again (a repeated notice changes nothing).
 */
export async function deliverLeaseNotices(notices: LeaseNotice[]): Promise<{ gone: string[] }> {
  const client = getClient();
  const gone: string[] = [];
  await Promise.all(
    notices.map(async (notice) => {
      const handle = client.workflow.getHandle(notice.workflowId);
      try {
        if (notice.kind === 'granted') await handle.signal(leaseGrantedSignal, notice.grant);
        else if (notice.kind === 'refused') await handle.signal(leaseRefusedSignal, notice.refusal);
        else await handle.signal(leaseQuotaWaitSignal, notice.wait);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        gone.push(leaseIdOf(notice));
      }
    }),
  );
  return { gone };
}

function leaseIdOf(notice: LeaseNotice): string {
  if (notice.kind === 'granted') return notice.grant.leaseId;
  if (notice.kind === 'refused') return notice.refusal.leaseId;
  return notice.wait.leaseId;
}
