import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { text } from 'node:stream/consumers';
import { createWebhookVerifier, WebhookRejected, type VerifiedWebhook } from '../../client/webhook-verifier';
import { startHttpsServer, testServerCertificates } from './https-server';

/** A fresh Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** One request the receiver got, and what it answered. */
export interface ReceivedDelivery {
  messageId: string;
  /** The `webhook-timestamp` header, seconds. */
  timestamp: number;
  /** The verified event, or why verification refused it. */
  verified: VerifiedWebhook | { rejected: string };
  answered: number;
  at: number;
}

export interface WebhookReceiver {
  /** `https://127.0.0.1:<port>/hooks` */
  url: string;
  /** The test CA the receiver's certificate chains to (a worker trusts it to deliver here). */
  caPem: string;
  deliveries: ReceivedDelivery[];
  /** Verified deliveries that were answered 2xx, one per message id (what a deduping receiver keeps). */
  accepted(): VerifiedWebhook[];
  /** Resolve once `count` distinct messages were accepted. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<VerifiedWebhook[]>;
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  secret: string;
  /** Answer the first `failFirst` requests with `failStatus` (default 503), then accept. */
  failFirst?: number;
  failStatus?: number;
  /** Retry-After (seconds) on the failing answers. */
  retryAfterSeconds?: number;
  host?: string;
}

/**
 * A receiver as a user would write one: HTTPS, verifies each delivery with the client's verifier (refusing
 * a bad signature with 400), fails the first N deliveries on purpose, then accepts with 204.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const certificates = testServerCertificates();
  const verify = createWebhookVerifier(options.secret);
  const deliveries: ReceivedDelivery[] = [];
  let failuresLeft = options.failFirst ?? 0;
  const waiters = new Set<() => void>();

  const server = await startHttpsServer(certificates.server, options.host ?? '127.0.0.1', (request, response) => {
    void receive(request).then(
      ({ delivery, status }) => {
        const headers: Record<string, string> = {};
        if (status >= 500 && options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
        response.writeHead(status, headers);
        response.end();
        deliveries.push({ ...delivery, answered: status });
        for (const wake of waiters) wake();
      },
      () => {
        response.writeHead(500);
        response.end();
      },
    );
  });

  async function receive(request: IncomingMessage): Promise<{ delivery: Omit<ReceivedDelivery, 'answered'>; status: number }> {
    const body = await text(request);
    const messageId = String(request.headers['webhook-id'] ?? '');
    const timestamp = Number(request.headers['webhook-timestamp'] ?? NaN);
    let verified: ReceivedDelivery['verified'];
    try {
      verified = verify(body, request.headers);
    } catch (error) {
      if (!(error instanceof WebhookRejected)) throw error;
      return { delivery: { messageId, timestamp, verified: { rejected: error.message }, at: Date.now() }, status: 400 };
    }
    const delivery = { messageId, timestamp, verified, at: Date.now() };
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return { delivery, status: options.failStatus ?? 503 };
    }
    return { delivery, status: 204 };
  }

  const accepted = (): VerifiedWebhook[] => {
    const byId = new Map<string, VerifiedWebhook>();
    for (const delivery of deliveries) {
      if (delivery.answered < 300 && 'event' in delivery.verified && !byId.has(delivery.messageId))
        byId.set(delivery.messageId, delivery.verified);
    }
    return [...byId.values()];
  };

  return {
    url: `${server.origin}/hooks`,
    caPem: certificates.caPem,
    deliveries,
    accepted,
    waitForAccepted: (count, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (accepted().length < count) return;
          cleanup();
          resolve(accepted());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `${accepted().length} of ${count} webhooks accepted within ${timeoutMs} ms; deliveries: ${JSON.stringify(deliveries)}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () => server.close(),
  };
}
