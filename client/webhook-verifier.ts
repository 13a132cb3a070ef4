import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { webhookEventSchema, type WebhookEvent } from '../schemas/webhook';

/** A delivery whose signature, timestamp or body does not check out: answer it 400 and do nothing with it. */
export class WebhookRejected extends Error {
  override readonly name = 'WebhookRejected';
}

/** What a receiver learns from a verified delivery: the event, and the id to dedupe retries on. */
export interface VerifiedWebhook {
  messageId: string;
  event: WebhookEvent;
}

/**
 * For receivers of runway-temporal's webhooks: checks a delivery's Standard Webhooks signature with the
 * shared `whsec_…` secret (constant-time, any of the signatures the header lists), refuses a timestamp more
 * than five minutes off (a replay), and parses the body as the typed event. Give it the raw body exactly
 * as received (a re-serialized JSON object no longer matches its signature) and the request's headers.
 *
 * ```ts
 * const verify = createWebhookVerifier(process.env.WEBHOOK_SECRET!);
 * const { messageId, event } = verify(rawBody, request.headers); // throws WebhookRejected
 * if (!(await alreadySeen(messageId))) handle(event);
 * ```
 */
export function createWebhookVerifier(secret: string): (rawBody: string | Uint8Array, headers: WebhookHeaders) => VerifiedWebhook {
  const webhook = new Webhook(secret);
  return (rawBody, headers) => {
    const flat = flattenHeaders(headers);
    let payload: unknown;
    try {
      payload = webhook.verify(rawBody, flat);
    } catch (error) {
      if (error instanceof WebhookVerificationError || error instanceof SyntaxError)
        throw new WebhookRejected(`webhook rejected: ${error.message}`);
      throw error;
    }
    const parsed = webhookEventSchema.safeParse(payload);
    if (!parsed.success)
      throw new WebhookRejected(
        `webhook rejected: the body is not a runway-temporal event (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    return { messageId: flat['webhook-id'] ?? '', event: parsed.data };
  };
}

/** Node's IncomingHttpHeaders, a fetch Headers, or a plain record. */
export type WebhookHeaders = Record<string, string | string[] | undefined> | Headers;

function flattenHeaders(headers: WebhookHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (flat[name.toLowerCase()] = value));
    return flat;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(' ') : value;
  }
  return flat;
}
