import { createSafeFetch, type SafeFetch } from '../../infra/safe-fetch';
import type { CampaignResult, GenerationResult } from '../../schemas';
import { webhookDeliveryWorkflowId } from '../../schemas/webhook-delivery';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { pollUntil } from '../helpers/poll';
import { resetSimulator } from '../helpers/simulator-admin';
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Completion notifications on the real stack: a workload's end (and, when asked, each generation's)
 * reaches a local HTTPS receiver that fails first, signed per Standard Webhooks and verified with the
 * client's verifier, through the worker's guarded fetch, retried by the delivery's retry policy with the
 * receiver's Retry-After, under one message id.
 */

const secret = newWebhookSecret();
let receiver: WebhookReceiver;
let safeFetch: SafeFetch;
let product: RunningProduct;

beforeAll(async () => {
  await resetSimulator();
  // Two 503s (Retry-After 1 s) before the first acceptance: the first delivery is retried twice.
  receiver = await startWebhookReceiver({ secret, failFirst: 2, failStatus: 503, retryAfterSeconds: 1 });
  // The deployment allows its own loopback receiver, as RUNWAY_REHOST_ALLOW_PRIVATE=127.0.0.1 would.
  safeFetch = createSafeFetch({ ca: receiver.caPem, allowPrivate: ['127.0.0.1'] });
  product = await startProduct({ name: 'webhooks', cap: 4, deps: { webhookSecret: secret, safeFetch } });
});
afterAll(async () => {
  await product.stop();
  await safeFetch.close();
  await receiver.close();
});

/** A 5 s gen4.5 text-to-video generation on its own. */
const textVideo = (videoId: string, promptText: string, options: Record<string, unknown> = FAST_OPTIONS) =>
  product.api.generations.startVideo({ videoId, model: 'gen4.5', promptText, ratio: '1280:720', duration: 5, options });

test('a generation on its own: its typed result arrives signed after two refusals, one message id, delivery state delivered', async () => {
  const handle = await textVideo('hooked', 'A lighthouse beam sweeps the fog', { ...FAST_OPTIONS, webhook: { url: receiver.url } });
  const result = await handle.result();
  const [accepted] = await receiver.waitForAccepted(1);
  expect(accepted!.event).toMatchObject({
    type: 'generation.completed',
    data: { subject: 'generation', workflowId: handle.workflowId, status: 'completed', result: { generationId: result.generationId } },
  });
  expect((accepted!.event.data.result as GenerationResult).s3.sha256).toBe(result.s3.sha256);
  const mine = receiver.deliveries.filter((delivery) => delivery.messageId === accepted!.messageId);
  expect(mine.map((delivery) => delivery.answered)).toEqual([503, 503, 204]);
  // Retry-After (1 s) set the wait between attempts, not the policy's 5 s start.
  expect(mine[1]!.at - mine[0]!.at).toBeGreaterThanOrEqual(900);
  expect(mine[1]!.at - mine[0]!.at).toBeLessThan(4_500);
  const status = await pollUntil(
    'the delivery',
    () => product.api.webhookDelivery(handle.workflowId),
    (view) => view?.state === 'delivered',
  );
  expect(status).toMatchObject({
    state: 'delivered',
    attempts: 3,
    httpStatus: 204,
    messageId: accepted!.messageId,
    origin: new URL(receiver.url).origin,
  });
  const described = await product.client.workflow.getHandle(webhookDeliveryWorkflowId(handle.workflowId)).describe();
  expect(described.memo).toMatchObject({ webhook: { state: 'delivered', attempts: 3 } });
});

test("a campaign asked for each generation's webhook: one per variant and one for the campaign, each verified", async () => {
  const before = receiver.accepted().length;
  const started = await product.api.campaigns.start({
    campaignId: 'hooked-campaign',
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: ['Dawn', 'Noon', 'Dusk'].map((promptText, index) => ({ id: `v${index + 1}`, promptText })),
    options: { ...FAST_OPTIONS, webhook: { url: receiver.url, generations: true } },
  });
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const accepted = (await receiver.waitForAccepted(before + 4)).slice(before);
  expect(accepted.map(({ event }) => event.type).sort()).toEqual([
    'campaign.completed',
    'generation.completed',
    'generation.completed',
    'generation.completed',
  ]);
  const campaign = accepted.find(({ event }) => event.type === 'campaign.completed')!;
  expect(campaign.event.data).toMatchObject({ workflowId: started.workflowId, result: { archived: (result as CampaignResult).archived } });
  expect(new Set(accepted.map(({ messageId }) => messageId)).size).toBe(4);
});

test('a failed workload announces its typed failure; without a webhook nothing is delivered', async () => {
  const before = receiver.accepted().length;
  const refused = await textVideo('hooked-refusal', 'nsfw content', { ...FAST_OPTIONS, webhook: { url: receiver.url } });
  await expect(refused.result()).rejects.toThrow();
  const [failed] = (await receiver.waitForAccepted(before + 1)).slice(before);
  expect(failed!.event).toMatchObject({ type: 'generation.failed', data: { status: 'failed', error: { type: 'PromptRejected' } } });

  const quiet = await textVideo('no-hook', 'A quiet harbour', FAST_OPTIONS);
  await quiet.result();
  expect(await product.api.webhookDelivery(quiet.workflowId)).toBeUndefined();
});
