import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowNotFoundError } from '@temporalio/client';
import { InputError } from '../../client/input-error';
import { decodeAudio } from '../helpers/audio';
import { failureOf } from '../helpers/failure';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256 } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { s3Client, testStack } from '../helpers/stack';

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'speech' });
});
afterAll(async () => {
  await product.stop();
});
beforeEach(async () => {
  await resetSimulator();
});

async function objectBytes(key: string): Promise<{ bytes: Buffer; contentType?: string }> {
  const s3 = s3Client();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: testStack().s3.bucket, Key: key }));
    return { bytes: Buffer.from(await object.Body!.transformToByteArray()), contentType: object.ContentType };
  } finally {
    s3.destroy();
  }
}

/** A speech at test speed: the words in `voice` (Maya unless named). */
function startSpeech(speechId: string, promptText: string, voice = 'Maya') {
  return product.api.generations.startSpeech({ speechId, promptText, voice, options: FAST_OPTIONS });
}

test('a speech task is submitted once to text_to_speech, polled and archived as an MP3 with the simulator sha256 and a length that follows the text', async () => {
  // 17 words at the simulator's 2.5 words a second: 6.8 s; 89 characters at 1 credit per 50: 2 credits.
  const promptText = 'Plants take in light through their leaves and turn it into food they can store for later.';
  const handle = await product.api.generations.startSpeech({
    speechId: 'lesson-1-chunk-1',
    promptText,
    voice: 'Maya',
    options: FAST_OPTIONS,
  });
  const result = await handle.result();
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(stats.submissions.byEndpoint).toEqual({ text_to_speech: 1 });
  expect(result.model).toBe('eleven_multilingual_v2');
  expect(result.s3.key).toBe(`single/lesson-1-chunk-1/${result.runwayTaskId}.mp3`);
  expect(result.s3.contentType).toBe('audio/mpeg');
  const task = stats.tasks.find((candidate) => candidate.id === result.runwayTaskId);
  expect(task?.outputSha256).toBe(result.s3.sha256);
  expect(task?.promptText).toBe(promptText);
  const stored = await objectSha256(result.s3.key);
  expect(stored.sha256).toBe(result.s3.sha256);
  expect(stored.bytes).toBe(result.s3.bytes);
  expect(stored.metadata).toMatchObject({ model: 'eleven_multilingual_v2', 'runway-task-id': result.runwayTaskId, credits: '2' });
  const { bytes, contentType } = await objectBytes(result.s3.key);
  expect(contentType).toBe('audio/mpeg');
  const audio = await decodeAudio(bytes);
  expect(audio.codec).toBe('mp3');
  expect(audio.durationSeconds).toBeGreaterThan(6.5);
  expect(audio.durationSeconds).toBeLessThan(7.1);
  expect(result.credits).toBe(2);
  expect(result.credits).toBe(stats.credits.charged - stats.credits.refunded);
});

test('a longer text makes a longer voiceover', async () => {
  const short = await startSpeech('short', 'One two three four five.', 'Noah');
  const long = await startSpeech(
    'long',
    'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty.',
    'Noah',
  );
  const [shortAudio, longAudio] = await Promise.all(
    [short, long].map(async (handle) => decodeAudio((await objectBytes((await handle.result()).s3.key)).bytes)),
  );
  expect(shortAudio!.durationSeconds).toBeCloseTo(2, 0);
  expect(longAudio!.durationSeconds).toBeCloseTo(8, 0);
});

test('speech Runway moderates (SAFETY.*) fails as ContentModeration after exactly one POST', async () => {
  const handle = await startSpeech('moderated-speech', 'Read this forbidden-content aloud');
  const failure = await failureOf(handle.result());
  expect(failure.type).toBe('ContentModeration');
  expect(failure.message).toContain('SAFETY.INPUT.TEXT');
  expect((await simulatorStats()).submissions.total).toBe(1);
});

test('the pre-screen checks the speech text too: PromptRejected, 0 POSTs', async () => {
  const handle = await startSpeech('prescreened', 'describe the gore in detail');
  const failure = await failureOf(handle.result());
  expect(failure.type).toBe('PromptRejected');
  expect((await simulatorStats()).submissions.total).toBe(0);
});

test.each([
  [
    'an unknown voice',
    { promptText: 'Hello class', voice: 'Nobody' },
    'voice',
    /voice Nobody is not a eleven_multilingual_v2 preset; allowed: Maya/,
  ],
  ['an empty text', { promptText: '   ', voice: 'Maya' }, 'promptText', /promptText must not be empty/],
  ['a text over 1000 characters', { promptText: 'word '.repeat(201), voice: 'Maya' }, 'promptText', /at most 1000/],
  ['an unknown model', { promptText: 'Hello class', voice: 'Maya', model: 'eleven_v9' }, 'model', /eleven_multilingual_v2/],
])('bad speech input (%s) is an InputError naming %s, before any POST or workflow', async (_what, fields, field, message) => {
  const speechId = `bad-${field}`;
  const error = await product.api.generations.startSpeech({ speechId, ...fields, options: FAST_OPTIONS }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).toContain(field);
  expect((error as Error).message).toMatch(message);
  expect((await simulatorStats()).submissions.total).toBe(0);
  await expect(product.api.client.workflow.getHandle(`single--${speechId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
});

test('a budget below one speech submission is refused at validation', async () => {
  const error = await product.api.generations
    .startSpeech({ speechId: 'no-budget', promptText: 'x'.repeat(120), voice: 'Maya', options: { ...FAST_OPTIONS, budgetCredits: 2 } })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).toMatch(/estimated at 3 credits/);
  expect((await simulatorStats()).submissions.total).toBe(0);
});
