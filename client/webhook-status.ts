import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WebhookDeliveryStatus } from '../schemas/webhook';
import { webhookDeliveryWorkflowId } from '../schemas/webhook-delivery';
import { webhookDeliveryQuery } from '../workflows/messages';

/** A delivery as the client shows it: its status, and while it retries, the attempt and why the last one failed. */
export type WebhookDeliveryView = WebhookDeliveryStatus & { nextAttempt?: number; lastFailure?: string };

/**
 * Where the webhook of a workload (or generation) with this workflow id stands: undefined when it named
 * none or has not ended yet. While the receiver keeps failing, the attempt count and the last failure come
 * from the delivery activity's retry state, as the Web UI shows them.
 */
export async function webhookDelivery(client: Client, workflowId: string): Promise<WebhookDeliveryView | undefined> {
  const handle = client.workflow.getHandle(webhookDeliveryWorkflowId(workflowId));
  let status: WebhookDeliveryStatus;
  try {
    status = await handle.query(webhookDeliveryQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  if (status.state !== 'delivering') return status;
  const pending = (await handle.describe()).raw.pendingActivities?.[0];
  return {
    ...status,
    ...(pending?.attempt ? { nextAttempt: pending.attempt } : {}),
    ...(pending?.lastFailure?.message ? { lastFailure: pending.lastFailure.message } : {}),
  };
}
