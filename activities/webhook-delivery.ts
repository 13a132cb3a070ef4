import { activityInfo, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import type { SafeFetch } from '../infra/safe-fetch';
import { FailureType } from '../schemas/failures';
import type { WebhookDelivery, WebhookReceipt } from '../schemas/webhook';
import { parseRetryAfter } from './runway/errors';

/** A receiver's answer is read this far and dropped: only its status matters. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** A Retry-After longer than this is not honoured as is: the retry policy's own backoff caps the wait. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

export interface WebhookDeliveryDeps {
  /** WEBHOOK_SECRET (`whsec_…`); a delivery without one fails before anything is sent. */
  webhookSecret?: string | undefined;
  /** The worker's guarded fetch: https only, no private network unless the deployment allows it. */
  safeFetch: SafeFetch;
}

/**
 * One attempt to POST a signed event to its receiver. A 2xx is delivered; any other answer or a network
 * error fails the attempt, and the activity's retry policy (5 s doubling to an hour, 24 h in all) tries
 * again with the same `webhook-id`, so a receiver that dedupes on it sees the event once. A 429 or 503's
 * Retry-After sets the next wait. Not retried: a URL the fetch guard refuses, a 410 (the receiver says
 * the endpoint is gone), or a missing secret. Each attempt is signed with its own timestamp, so a
 * receiver's replay window (the spec's five minutes) holds for a retry a day later.
 */
export function createDeliverWebhook(deps: WebhookDeliveryDeps) {
  const signer = deps.webhookSecret ? new Webhook(deps.webhookSecret) : undefined;
  return async function deliverWebhook(delivery: WebhookDelivery): Promise<WebhookReceipt> {
    if (!signer) {
      throw ApplicationFailure.create({
        type: FailureType.WebhookNotConfigured,
        nonRetryable: true,
        message: 'WEBHOOK_SECRET is not set on the worker: webhooks are not signed, so none is sent',
      });
    }
    const { attempt } = activityInfo();
    const body = JSON.stringify(delivery.event);
    const sentAt = new Date();
    const response = await deps.safeFetch(delivery.url, {
      method: 'POST',
      maxBytes: MAX_ANSWER_BYTES,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'runway-temporal-webhooks',
        'webhook-id': delivery.messageId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signer.sign(delivery.messageId, sentAt, body),
      },
      body,
    });
    response.body.resume();
    const origin = new URL(delivery.url).origin;
    if (response.status >= 200 && response.status < 300) {
      log.info('webhook delivered', { messageId: delivery.messageId, type: delivery.event.type, origin, status: response.status, attempt });
      return { messageId: delivery.messageId, status: response.status, attempt, deliveredAt: sentAt.toISOString() };
    }
    log.warn('webhook receiver refused the delivery', { messageId: delivery.messageId, origin, status: response.status, attempt });
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    const retryAfterMs = retryAfter === undefined ? undefined : Math.min(retryAfter, MAX_RETRY_AFTER_MS);
    throw ApplicationFailure.create({
      type: FailureType.WebhookDeliveryFailed,
      nonRetryable: response.status === 410,
      message: `the webhook receiver at ${origin} answered ${response.status}${response.status === 410 ? ' (Gone): it takes no more deliveries' : ''}`,
      details: [{ messageId: delivery.messageId, status: response.status, attempt }],
      ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
    });
  };
}
