import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  isCancellation,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { FailureType } from '../../schemas/failures';
import type { WebhookEvent, WebhookTarget } from '../../schemas/webhook';
import { urlOrigin, webhookDeliveryWorkflowId, webhookMessageId } from '../../schemas/webhook-delivery';
import { WebhookDeliveryWorkflow } from './webhook';

/** How a workload or generation ended, for its webhook. */
export type WorkflowEnd = { status: 'completed'; result: unknown } | { status: 'failed'; error: { type: string; message: string } };

/** What a workload's progress and result say of its webhook: the delivery's own workflow, to ask where it stands. */
export interface WebhookAnnouncement {
  messageId: string;
  deliveryWorkflowId: string;
}

/**
 * Announce this workflow's end to its webhook: start the delivery workflow (ABANDON: it outlives this one)
 * and return at once. Not cancellable: a cancelled workload still says it ended. Started once per workflow
 * id: a repeat (a replay after a reset, a re-run of the same id) finds it and does not deliver twice.
 */
export async function announceEnd(
  subject: WebhookEvent['data']['subject'],
  webhook: WebhookTarget | undefined,
  end: WorkflowEnd,
): Promise<WebhookAnnouncement | undefined> {
  if (!webhook) return undefined;
  const { workflowId, runId, firstExecutionRunId } = workflowInfo();
  const type = `${subject}.${end.status}`;
  const messageId = webhookMessageId(firstExecutionRunId, type);
  const deliveryWorkflowId = webhookDeliveryWorkflowId(workflowId);
  const event: WebhookEvent = {
    type,
    timestamp: new Date().toISOString(),
    data: {
      subject,
      workflowId,
      runId,
      status: end.status,
      ...(end.status === 'completed' ? { result: end.result } : { error: end.error }),
    },
  };
  await CancellationScope.nonCancellable(async () => {
    try {
      await startChild(WebhookDeliveryWorkflow, {
        workflowId: deliveryWorkflowId,
        args: [{ url: webhook.url, messageId, event }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: `webhook: ${type} to ${urlOrigin(webhook.url)}`,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  });
  return { messageId, deliveryWorkflowId };
}

/**
 * Run a workload's (or generation's) body and announce how it ended: its typed result, or its typed
 * failure (a cancellation as `Cancelled`). A continue-as-new is no end: the run that ends announces.
 */
export async function withWebhook<T>(
  subject: WebhookEvent['data']['subject'],
  webhook: WebhookTarget | undefined,
  body: () => Promise<T>,
): Promise<T> {
  if (!webhook) return body();
  let result: T;
  try {
    result = await body();
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    await announceEnd(subject, webhook, { status: 'failed', error: endError(error) });
    throw error;
  }
  await announceEnd(subject, webhook, { status: 'completed', result });
  return result;
}

function endError(error: unknown): { type: string; message: string } {
  if (isCancellation(error)) return { type: 'Cancelled', message: 'cancelled' };
  if (error instanceof ApplicationFailure) return { type: error.type ?? FailureType.Unexpected, message: error.message };
  const cause = error instanceof Error && error.cause instanceof ApplicationFailure ? error.cause : undefined;
  if (cause) return { type: cause.type ?? FailureType.Unexpected, message: cause.message };
  return { type: FailureType.Unexpected, message: error instanceof Error ? error.message : String(error) };
}
