import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { createWebhookVerifier, WebhookRejected } from '../../client/webhook-verifier';
import { createDeliverWebhook } from '../../activities/webhook-delivery';
import { createSafeFetch, type SafeFetch } from '../../infra/safe-fetch';
import { FailureType } from '../../schemas';
import { webhookSecretSchema, webhookTargetSchema, type WebhookDelivery, type WebhookEvent } from '../../schemas/webhook';
import { webhookMessageId } from '../../schemas/webhook-delivery';
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/** One delivery attempt at a time, against a real HTTPS receiver through the worker's guarded fetch. */

const secret = newWebhookSecret();
const fetchers: SafeFetch[] = [];
const receivers: WebhookReceiver[] = [];

afterAll(async () => {
  await Promise.all([...fetchers.map((fetcher) => fetcher.close()), ...receivers.map((receiver) => receiver.close())]);
});

async function receiver(options: Partial<Parameters<typeof startWebhookReceiver>[0]> = {}): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver({ secret, ...options });
  receivers.push(started);
  return started;
}

/** The worker's fetch as a deployment that allows its own loopback receiver would have it. */
function allowingFetch(caPem: string): SafeFetch {
  const fetcher = createSafeFetch({ ca: caPem, allowPrivate: ['127.0.0.1'] });
  fetchers.push(fetcher);
  return fetcher;
}

const event: WebhookEvent = {
  type: 'campaign.completed',
  timestamp: '2026-12-07T10:00:00.000Z',
  data: { subject: 'campaign', workflowId: 'campaign-spring', runId: 'run-1', status: 'completed', result: { archived: 3, credits: 75 } },
};
const deliveryTo = (url: string): WebhookDelivery => ({ url, messageId: webhookMessageId('first-run-1', event.type), event });

async function attempt(deliver: ReturnType<typeof createDeliverWebhook>, delivery: WebhookDelivery, number = 1) {
  return new MockActivityEnvironment({ attempt: number }).run(deliver, delivery);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

test('a delivery is signed per Standard Webhooks and the client verifier reads back the typed event', async () => {
  const hooks = await receiver();
  const deliver = createDeliverWebhook({ webhookSecret: secret, safeFetch: allowingFetch(hooks.caPem) });
  const receipt = await attempt(deliver, deliveryTo(hooks.url));
  expect(receipt).toMatchObject({ messageId: 'msg_first-run-1_campaign_completed', status: 204, attempt: 1 });
  expect(hooks.accepted()).toEqual([{ messageId: 'msg_first-run-1_campaign_completed', event }]);
  const [delivered] = hooks.deliveries;
  expect(Math.abs(delivered!.timestamp - Date.now() / 1000)).toBeLessThan(30);
});

test('a receiver that fails twice then accepts: each attempt retryable with its Retry-After, the same webhook-id every time', async () => {
  const hooks = await receiver({ failFirst: 2, failStatus: 503, retryAfterSeconds: 7 });
  const deliver = createDeliverWebhook({ webhookSecret: secret, safeFetch: allowingFetch(hooks.caPem) });
  for (const number of [1, 2]) {
    const refused = await failure(attempt(deliver, deliveryTo(hooks.url), number));
    expect(refused).toMatchObject({ type: FailureType.WebhookDeliveryFailed, nonRetryable: false, nextRetryDelay: 7_000 });
    expect(refused.message).toBe(`the webhook receiver at ${new URL(hooks.url).origin} answered 503`);
  }
  expect(await attempt(deliver, deliveryTo(hooks.url), 3)).toMatchObject({ status: 204, attempt: 3 });
  expect(hooks.deliveries.map((delivery) => [delivery.messageId, delivery.answered])).toEqual([
    ['msg_first-run-1_campaign_completed', 503],
    ['msg_first-run-1_campaign_completed', 503],
    ['msg_first-run-1_campaign_completed', 204],
  ]);
  expect(hooks.accepted()).toHaveLength(1);
});

test('a 410 Gone is not retried; a 500 without Retry-After leaves the wait to the retry policy', async () => {
  const gone = await receiver({ failFirst: 1, failStatus: 410 });
  const deliverGone = createDeliverWebhook({ webhookSecret: secret, safeFetch: allowingFetch(gone.caPem) });
  expect(await failure(attempt(deliverGone, deliveryTo(gone.url)))).toMatchObject({
    type: FailureType.WebhookDeliveryFailed,
    nonRetryable: true,
  });
  const broken = await receiver({ failFirst: 1, failStatus: 500 });
  const deliverBroken = createDeliverWebhook({ webhookSecret: secret, safeFetch: allowingFetch(broken.caPem) });
  const refused = await failure(attempt(deliverBroken, deliveryTo(broken.url)));
  expect(refused).toMatchObject({ nonRetryable: false });
  expect(refused.nextRetryDelay).toBeUndefined();
});

test('the fetch guard applies: a deployment that allows no private network never reaches the loopback receiver', async () => {
  const hooks = await receiver();
  const strict = createSafeFetch({ ca: hooks.caPem });
  fetchers.push(strict);
  const refused = await failure(attempt(createDeliverWebhook({ webhookSecret: secret, safeFetch: strict }), deliveryTo(hooks.url)));
  expect(refused).toMatchObject({ type: FailureType.FetchRefused, nonRetryable: true });
  const plain = await failure(
    attempt(createDeliverWebhook({ webhookSecret: secret, safeFetch: strict }), deliveryTo(hooks.url.replace('https:', 'http:'))),
  );
  expect(plain.message).toMatch(/only https URLs are fetched/);
  expect(hooks.deliveries).toEqual([]);
});

test('without WEBHOOK_SECRET nothing is sent: WebhookNotConfigured, not retried', async () => {
  const hooks = await receiver();
  const refused = await failure(attempt(createDeliverWebhook({ safeFetch: allowingFetch(hooks.caPem) }), deliveryTo(hooks.url)));
  expect(refused).toMatchObject({ type: FailureType.WebhookNotConfigured, nonRetryable: true });
  expect(hooks.deliveries).toEqual([]);
});

describe('the client verifier', () => {
  const verify = createWebhookVerifier(secret);
  const signed = (body: string, id = 'msg_1', at = new Date()) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  });
  const body = JSON.stringify(event);

  test('accepts a good delivery from a Headers object or a plain record', () => {
    expect(verify(body, signed(body))).toEqual({ messageId: 'msg_1', event });
    expect(verify(Buffer.from(body), new Headers(signed(body)))).toEqual({ messageId: 'msg_1', event });
  });

  test('rejects a changed body, another secret, a missing header, a replayed timestamp and a body that is no event', () => {
    expect(() => verify(body.replace('75', '76'), signed(body))).toThrow(WebhookRejected);
    expect(() => createWebhookVerifier(newWebhookSecret())(body, signed(body))).toThrow(/No matching signature/);
    const { 'webhook-signature': _dropped, ...unsigned } = signed(body);
    expect(() => verify(body, unsigned)).toThrow(/Missing required headers/);
    expect(() => verify(body, signed(body, 'msg_1', new Date(Date.now() - 10 * 60_000)))).toThrow(/too old/);
    const other = JSON.stringify({ hello: 'world' });
    expect(() => verify(other, signed(other))).toThrow(/not a runway-temporal event/);
  });
});

describe('schemas', () => {
  test('a webhook target is an https URL without credentials', () => {
    expect(webhookTargetSchema.parse({ url: 'https://hooks.example.com/runway' })).toEqual({ url: 'https://hooks.example.com/runway' });
    const message = (input: unknown) =>
      webhookTargetSchema
        .safeParse(input)
        .error?.issues.map((issue) => issue.message)
        .join('; ');
    expect(message({ url: 'http://hooks.example.com' })).toMatch(/must use https \(got http\)/);
    expect(message({ url: 'https://user:pw@hooks.example.com' })).toMatch(/must not carry credentials/);
    expect(message({ url: 'not a url' })).toMatch(/not a valid URL/);
    expect(message({ url: 'https://hooks.example.com', secret: 'x' })).toMatch(/unknown field "secret"/);
  });

  test('WEBHOOK_SECRET is whsec_ and 24 to 64 bytes of base64; unset is allowed', () => {
    expect(webhookSecretSchema.parse(secret)).toBe(secret);
    expect(webhookSecretSchema.parse(undefined)).toBeUndefined();
    expect(webhookSecretSchema.parse('')).toBeUndefined();
    expect(webhookSecretSchema.safeParse('not-a-secret').success).toBe(false);
    expect(webhookSecretSchema.safeParse(`whsec_${Buffer.alloc(8).toString('base64')}`).success).toBe(false);
  });
});
