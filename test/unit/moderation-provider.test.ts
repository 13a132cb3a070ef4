import { ApplicationFailure } from '@temporalio/common';
import { OpenAiModerator, screen } from '../../activities/moderation-provider';
import { startOpenAiFake, type OpenAiFake } from '../helpers/openai-fake';

/** The moderation provider against a local OpenAI-compatible endpoint: verdicts, categories, images, and the error policy. */

const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const LAST_FRAME = 'https://images.example.com/last.png';

let fake: OpenAiFake;
let moderator: OpenAiModerator;

beforeAll(async () => {
  fake = await startOpenAiFake();
  moderator = new OpenAiModerator({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, timeoutMs: 1_000 });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

test('a clean prompt is allowed; the request names the model and carries the text', async () => {
  const verdict = await moderator.check({ promptText: 'a lighthouse at dawn' });
  expect(verdict).toEqual({ moderator: 'openai:omni-moderation-latest', allowed: true, checked: ['text'], categories: [] });
  expect(fake.moderationRequests()).toEqual([{ model: 'omni-moderation-latest', input: [{ type: 'text', text: 'a lighthouse at dawn' }] }]);
  expect(fake.requests[0]!.authorized).toBe(true);
});

test('a flagged prompt is refused with the categories the endpoint named', async () => {
  fake.script('moderations', { kind: 'moderation', flagged: true, categories: { violence: true, 'violence/graphic': true } });
  const verdict = await moderator.check({ promptText: 'something graphic' });
  expect(verdict).toMatchObject({ allowed: false, categories: ['violence', 'violence/graphic'] });
});

test('prompt images are judged too: the first with the text, each further image in its own request', async () => {
  fake.script('moderations', { kind: 'moderation', flagged: false }, { kind: 'moderation', flagged: true, categories: { sexual: true } });
  const verdict = await moderator.check({ promptText: 'a dancer', promptImages: [IMAGE, LAST_FRAME] });
  expect(verdict).toEqual({
    moderator: 'openai:omni-moderation-latest',
    allowed: false,
    checked: ['text', 'image'],
    categories: ['sexual'],
  });
  const inputs = fake.moderationRequests().map((request) => request.input);
  expect(inputs).toEqual(
    expect.arrayContaining([
      [
        { type: 'text', text: 'a dancer' },
        { type: 'image_url', image_url: { url: IMAGE } },
      ],
      [{ type: 'image_url', image_url: { url: LAST_FRAME } }],
    ]),
  );
  expect(inputs).toHaveLength(2);
});

test('an image without text is checked alone; nothing to check asks nothing', async () => {
  expect(await moderator.check({ promptImages: [IMAGE] })).toMatchObject({ allowed: true, checked: ['image'] });
  expect(await moderator.check({})).toMatchObject({ allowed: true, checked: [] });
  expect(fake.moderationRequests()).toHaveLength(1);
});

describe('screen: the error policy', () => {
  test('closed (a 5xx): a retryable ModerationUnavailable naming the provider, never an allowed verdict', async () => {
    fake.script('moderations', { kind: 'error', status: 503, message: 'overloaded' });
    const failure = await screen({ promptText: 'a calm sea' }, [moderator], 'closed').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ModerationUnavailable', nonRetryable: false });
    expect((failure as Error).message).toMatch(/openai:omni-moderation-latest could not check the prompt \(503: .*overloaded/);
  });

  test('closed (a refused key): not retried — the same key gets the same answer', async () => {
    const wrongKey = new OpenAiModerator({ apiKey: 'sk-wrong', baseURL: fake.baseURL, maxRetries: 0 });
    await expect(screen({ promptText: 'a calm sea' }, [wrongKey], 'closed')).rejects.toMatchObject({
      type: 'ModerationUnavailable',
      nonRetryable: true,
    });
  });

  test('closed (a timeout or a hang-up) fails too', async () => {
    fake.script('moderations', { kind: 'moderation', flagged: false, delayMs: 3_000 });
    const slow = await screen({ promptText: 'slow' }, [moderator], 'closed').catch((error: unknown) => error);
    expect(slow).toMatchObject({ type: 'ModerationUnavailable', nonRetryable: false });
    fake.script('moderations', { kind: 'hangup' });
    await expect(screen({ promptText: 'gone' }, [moderator], 'closed')).rejects.toMatchObject({ type: 'ModerationUnavailable' });
  });

  test('open: the provider is recorded as skipped and the screening goes on', async () => {
    fake.script('moderations', { kind: 'error', status: 500 });
    const screening = await screen({ promptText: 'a calm sea' }, [moderator], 'open');
    expect(screening).toEqual({
      allowed: true,
      verdicts: [
        {
          moderator: 'openai:omni-moderation-latest',
          allowed: true,
          checked: [],
          categories: [],
          skipped: expect.stringMatching(/^500: /),
        },
      ],
    });
  });

  test('open never overrides a refusal: a flagged answer still refuses', async () => {
    fake.script('moderations', { kind: 'moderation', flagged: true, categories: { hate: true } });
    expect(await screen({ promptText: 'x' }, [moderator], 'open')).toMatchObject({ allowed: false, verdicts: [{ categories: ['hate'] }] });
  });

  test('a body off the endpoint contract is a provider error, not a verdict', async () => {
    fake.script('moderations', { kind: 'malformed', body: '{"id":"modr-1","results":[]}' });
    await expect(screen({ promptText: 'x' }, [moderator], 'closed')).rejects.toMatchObject({ type: 'ModerationUnavailable' });
  });
});
