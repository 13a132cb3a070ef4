// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// The webhook's schemas are in webhook.ts.

/**
 * The delivery activity's timing, shared by the workflow that schedules it: each attempt has 30 s; retries
 * back off from 5 s, doubling to at most an hour apart, for 24 h in all. A receiver down for a day is
 * given up on (the delivery's state says so) rather than retried forever.
 */
export const WEBHOOK_DELIVERY_TIMING = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
} as const;

/** A URL's scheme and host, by text (workflow code has no URL parser to rely on): what logs and the Web UI may show. */
export function urlOrigin(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? 'an invalid URL';
}

/** The delivery workflow's id for a workflow's end: one per workflow id, whatever run announces it. */
export function webhookDeliveryWorkflowId(workflowId: string): string {
  return `${workflowId}--webhook`;
}

/** The stable message id of a workflow's end: its first run (continue-as-new keeps it) and the event type. */
export function webhookMessageId(firstExecutionRunId: string, type: string): string {
  return `msg_${firstExecutionRunId}_${type.replace(/\./g, '_')}`;
}
