import OpenAI from 'openai';
import { startOpenAiFake, type OpenAiFake } from '../helpers/openai-fake';

/** The fake as the official client sees it: every answer it can script parses (or fails) the way OpenAI's would. */
let fake: OpenAiFake;
let client: OpenAI;

beforeAll(async () => {
  fake = await startOpenAiFake();
  client = new OpenAI({ baseURL: fake.baseURL, apiKey: fake.apiKey, maxRetries: 0, timeout: 2_000 });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const ask = () => client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'a shot, please' }] });

test('chat: scripted answers in order, each request recorded with its body and key check', async () => {
  fake.script('chat', { kind: 'chat', content: 'first' }, { kind: 'refusal', refusal: 'no' });
  const first = await ask();
  expect(first.object).toBe('chat.completion');
  expect(first.model).toBe('fake-model');
  expect(first.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'first', refusal: null });
  const second = await ask();
  expect(second.choices[0]!.message).toMatchObject({ content: null, refusal: 'no' });
  expect(fake.chatRequests().map((body) => body.messages[0]!.content)).toEqual(['a shot, please', 'a shot, please']);
  expect(fake.requests.every((request) => request.authorized)).toBe(true);
  expect(JSON.stringify(fake.requests)).not.toContain(fake.apiKey);
});

test('chat: nothing scripted is a 500 that says so; errors come in OpenAI shape with their status', async () => {
  await expect(ask()).rejects.toMatchObject({ status: 500, message: expect.stringContaining('no chat answer was scripted') });
  fake.script('chat', { kind: 'error', status: 429, message: 'slow down', retryAfterSeconds: 1 });
  await expect(ask()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  const wrongKey = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
  await expect(wrongKey.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
    OpenAI.AuthenticationError,
  );
  expect(fake.requests.at(-1)!.authorized).toBe(false);
});

test('chat: a malformed body, a hang-up and a delay past the client timeout each fail the call', async () => {
  fake.script('chat', { kind: 'malformed', body: '{"choices": [' });
  await expect(ask()).rejects.toThrow();
  fake.script('chat', { kind: 'hangup' });
  await expect(ask()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  // The client gives up at its 2 s timeout, long before the scripted 10 s delay ends.
  fake.script('chat', { kind: 'chat', content: 'late', delayMs: 10_000 });
  const startedAt = Date.now();
  await expect(ask()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  expect(Date.now() - startedAt).toBeLessThan(8_000);
});

test("the client's own retries each take the next scripted answer", async () => {
  const retrying = new OpenAI({ baseURL: fake.baseURL, apiKey: fake.apiKey, maxRetries: 2 });
  fake.script('chat', { kind: 'error', status: 500 }, { kind: 'error', status: 503 }, { kind: 'chat', content: 'third time' });
  const answer = await retrying.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
  expect(answer.choices[0]!.message.content).toBe('third time');
  expect(fake.chatRequests()).toHaveLength(3);
  expect(fake.pending('chat')).toBe(0);
});

test('moderations: one result per input, flagged with its categories and scores; not flagged by default', async () => {
  const clean = await client.moderations.create({ model: 'omni-moderation-latest', input: ['a harbour', 'a lighthouse'] });
  expect(clean.results).toHaveLength(2);
  expect(clean.results.every((result) => !result.flagged)).toBe(true);
  fake.script('moderations', { kind: 'moderation', flagged: true, categories: { 'violence/graphic': true } });
  const flagged = await client.moderations.create({ input: 'something graphic' });
  expect(flagged.results[0]).toMatchObject({
    flagged: true,
    categories: { 'violence/graphic': true, hate: false },
    category_scores: { 'violence/graphic': 0.97 },
  });
  fake.respond('moderations', (body) => ({ kind: 'moderation', flagged: JSON.stringify(body).includes('forbidden') }));
  expect((await client.moderations.create({ input: 'forbidden words' })).results[0]!.flagged).toBe(true);
  expect(fake.moderationRequests().map((body) => body.input)).toEqual([
    ['a harbour', 'a lighthouse'],
    'something graphic',
    'forbidden words',
  ]);
});

test('a request the real endpoint would refuse is a 400', async () => {
  await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
});
