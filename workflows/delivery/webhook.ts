import { ApplicationFailure, log, setCurrentDetails, setHandler, setWorkflowOptions, upsertMemo } from '@temporalio/workflow';
import { FailureType } from '../../schemas/failures';
import type { WebhookDelivery, WebhookDeliveryStatus } from '../../schemas/webhook';
import { urlOrigin } from '../../schemas/webhook-delivery';
import { webhookActivities } from '../activity-stubs';
import { webhookDeliveryQuery } from '../messages';
import { versioned } from '../versioning';

// Auto-upgrade: a delivery may retry for 24 h against a receiver that is down; pinned, it would keep its release's
// workers that long. Its history (one activity) moves to each new current version and must replay there.
setWorkflowOptions(versioned('AUTO_UPGRADE'), WebhookDeliveryWorkflow);

/**
 * One webhook's delivery, in a workflow of its own that a workload starts as it ends and does not wait for:
 * a receiver down for hours delays nobody's result, and the delivery outlives the workload. The activity's
 * retry policy carries the retries (5 s doubling to an hour apart, 24 h in all); the Web UI shows each
 * attempt and its last failure on the pending activity, and this workflow's memo, current details and
 * query say where the delivery stands. A delivery given up on fails the workflow, so the Web UI lists it
 * among failed workflows.
 */
export async function WebhookDeliveryWorkflow(delivery: WebhookDelivery): Promise<WebhookDeliveryStatus> {
  const origin = urlOrigin(delivery.url);
  let status: WebhookDeliveryStatus = { state: 'delivering', messageId: delivery.messageId, type: delivery.event.type, origin };
  setHandler(webhookDeliveryQuery, () => status);
  const show = (next: WebhookDeliveryStatus, details: string) => {
    status = next;
    upsertMemo({ webhook: status });
    setCurrentDetails(details);
  };
  show(status, `delivering ${delivery.event.type} to ${origin}`);
  try {
    const receipt = await webhookActivities().deliverWebhook.executeWithOptions({ summary: `POST ${delivery.event.type} to ${origin}` }, [
      delivery,
    ]);
    show(
      { ...status, state: 'delivered', attempts: receipt.attempt, httpStatus: receipt.status, deliveredAt: receipt.deliveredAt },
      `delivered to ${origin} (${receipt.status}) at attempt ${receipt.attempt}`,
    );
    return status;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    show({ ...status, state: 'failed', error: message }, `not delivered to ${origin}: ${message}`);
    log.warn('webhook given up on', { messageId: delivery.messageId, origin, error: message });
    throw ApplicationFailure.create({
      type: FailureType.WebhookDeliveryFailed,
      nonRetryable: true,
      message: `webhook ${delivery.messageId} not delivered to ${origin}: ${message}`,
    });
  }
}
