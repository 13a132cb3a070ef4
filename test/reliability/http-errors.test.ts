import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { RunwayClient } from '../../activities/runway/client';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';

let product: RunningProduct;
let wrongSecretProduct: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'http' });
  const runway = new RunwayClient({ baseUrl: testStack().runwayBaseUrl, apiSecret: 'key_not_the_right_one', requestTimeoutMs: 10_000 });
  wrongSecretProduct = await startProduct({ name: 'http-401', deps: { runway } });
});
afterAll(async () => {
  await product.stop();
  await wrongSecretProduct.stop();
});

function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && 'cause' in current && current.cause instanceof Error) current = current.cause;
  return current;
}

test('429 with Retry-After on POST is retried by policy honouring Retry-After; 503s on GET are missed polls; one task', async () => {
  await resetSimulator({
    faults: {
      rules: [
        { fault: 'http_error', route: 'create', status: 429, retryAfterSeconds: 2, times: 2 },
        { fault: 'http_error', route: 'get', status: 503, times: 3 },
      ],
    },
  });
  const startedAt = Date.now();
  const handle = await product.api.generations.startVideo({
    videoId: 'rate-limited',
    model: 'gen4.5',
    promptText: 'Waves on a pier',
    ratio: '1280:720',
    duration: 5,
    options: FAST_OPTIONS,
  });
  const result = await handle.result();
  const elapsedMs = Date.now() - startedAt;
  const stats = (await simulatorStats()) as Awaited<ReturnType<typeof simulatorStats>> & {
    requests: { creates: number; rejectedByStatus: Record<string, number> };
  };
  expect(result.submissions).toBe(1);
  expect(stats.submissions.total).toBe(1);
  expect(stats.requests.rejectedByStatus['429']).toBe(2);
  expect(stats.requests.rejectedByStatus['503']).toBe(3);
  // Two Retry-After: 2 s waits on the POST, not the policy's 1 s initial interval; the 503 GETs are missed polls.
  expect(elapsedMs).toBeGreaterThanOrEqual(4_000);
}, 60_000);

test('401 is not retried: the video fails at once with RunwayUnauthorized and the API error text', async () => {
  await resetSimulator();
  const handle = await wrongSecretProduct.api.generations.startVideo({
    videoId: 'unauthorized',
    model: 'gen4.5',
    promptText: 'A quiet street',
    ratio: '1280:720',
    duration: 5,
    options: FAST_OPTIONS,
  });
  const error = await handle.result().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = rootCause(error);
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('RunwayUnauthorized');
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  expect((cause as ApplicationFailure).message).toMatch(/401/);
  const stats = (await simulatorStats()) as Awaited<ReturnType<typeof simulatorStats>> & {
    requests: { creates: number; rejectedByStatus: Record<string, number>; rejectedByRoute: Record<string, number> };
  };
  // The workspace read and the generation's own quota check may both reach Runway before the failure
  // ends the workflow; what must hold is that no refused request is sent again and no create is sent.
  const refused = Object.entries(stats.requests.rejectedByRoute);
  expect(refused.length).toBeGreaterThanOrEqual(1);
  for (const [route, times] of refused) {
    expect(route).toMatch(/ 401$/);
    expect(route).not.toMatch(/^POST \/v1\/(text_to_video|image_to_video|text_to_speech) /);
    expect({ route, times }).toEqual({ route, times: 1 });
  }
  expect(stats.requests.rejectedByStatus['401']).toBe(refused.length);
  expect(stats.requests.creates).toBe(0);
  expect(stats.submissions.total).toBe(0);
}, 60_000);
