import path from 'node:path';
import { OpenAiModerator } from '../../activities/moderation-provider';
import { failureOf } from '../helpers/failure';
import { startOpenAiFake, type OpenAiFake } from '../helpers/openai-fake';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

/**
 * The pre-screen with a moderation model on the real stack: the term list first, then the moderation
 * endpoint (a local OpenAI-compatible fake) for the prompt and its image. A flagged generation never
 * reaches Runway; an endpoint that cannot answer fails closed by default.
 */

const heroImage = path.resolve(__dirname, '../../examples/assets/hero-product.jpg');
let fake: OpenAiFake;
let closed: RunningProduct;

beforeAll(async () => {
  fake = await startOpenAiFake();
  const moderationProvider = new OpenAiModerator({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, timeoutMs: 2_000 });
  closed = await startProduct({ name: 'moderation', deps: { moderationProvider, moderationOnError: 'closed' } });
});
afterAll(async () => {
  await closed.stop();
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  await resetSimulator();
});

const start = (product: RunningProduct, videoId: string, extra: { promptImage?: string } = {}) =>
  product.api.generations.startVideo({
    videoId,
    model: extra.promptImage ? 'gen4_turbo' : 'gen4.5',
    promptText: 'A crowd gathers in the square',
    ratio: extra.promptImage ? '16:9' : '1280:720',
    duration: 5,
    options: FAST_OPTIONS,
    ...extra,
  });

test('a prompt the moderation model flags is refused with its categories and 0 POSTs', async () => {
  fake.script('moderations', { kind: 'moderation', flagged: true, categories: { violence: true, 'violence/graphic': true } });
  const failure = await failureOf((await start(closed, 'flagged')).result());
  expect(failure.type).toBe('PromptRejected');
  expect(failure.message).toMatch(
    /refused before submission by openai:omni-moderation-latest \(flagged: violence, violence\/graphic in the text\)/,
  );
  expect((await simulatorStats()).submissions.total).toBe(0);
});

test('an allowed generation keeps both verdicts in its result; the prompt image is judged with the prompt', async () => {
  const result = await (await start(closed, 'clean', { promptImage: heroImage })).result();
  expect(result.moderation).toEqual([
    { moderator: 'term-list', allowed: true, checked: ['text'], categories: [] },
    { moderator: 'openai:omni-moderation-latest', allowed: true, checked: ['text', 'image'], categories: [] },
  ]);
  const [request] = fake.moderationRequests();
  expect(request!.input).toEqual([
    { type: 'text', text: 'A crowd gathers in the square' },
    { type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/jpeg;base64,/) } },
  ]);
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('the term list still refuses first, without asking the endpoint', async () => {
  const failure = await failureOf(
    (
      await closed.api.generations.startVideo({
        videoId: 'blocked-term',
        model: 'gen4.5',
        promptText: 'nsfw scene',
        ratio: '1280:720',
        duration: 5,
        options: FAST_OPTIONS,
      })
    ).result(),
  );
  expect(failure.message).toMatch(/by term-list \(blocked terms: nsfw/);
  expect(fake.moderationRequests()).toHaveLength(0);
});

test('the endpoint down: closed (the default) refuses with ModerationUnavailable and 0 POSTs; open goes on and says it skipped', async () => {
  fake.respond('moderations', () => ({ kind: 'error', status: 503, message: 'overloaded' }));
  const failure = await failureOf((await start(closed, 'unchecked')).result());
  expect(failure.type).toBe('ModerationUnavailable');
  expect((await simulatorStats()).submissions.total).toBe(0);

  const moderationProvider = new OpenAiModerator({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 });
  const open = await startProduct({ name: 'moderation-open', deps: { moderationProvider, moderationOnError: 'open' } });
  try {
    const result = await (await start(open, 'unchecked-open')).result();
    expect(result.moderation?.[1]).toMatchObject({
      moderator: 'openai:omni-moderation-latest',
      allowed: true,
      skipped: expect.stringMatching(/^503/),
    });
    expect((await simulatorStats()).submissions.total).toBe(1);
  } finally {
    await open.stop();
  }
});
