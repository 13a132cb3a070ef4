import fs from 'node:fs';
import path from 'node:path';
import RunwayML, { BadRequestError, NotFoundError, RateLimitError, TaskFailedError } from '@runwayml/sdk';
import { request } from 'undici';
import { decodeAudio } from '../helpers/audio';
import { resetDailyUsage, resetSimulator, simulatorLiveStats } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';
import { decodeWithFfmpeg, mvhdDurationSeconds } from './helpers';

/** The official client, pointed at the simulator: the simulator must be indistinguishable from Runway for it. */
function officialClient(): RunwayML {
  return new RunwayML({ apiKey: testStack().runwayApiSecret, baseURL: testStack().runwayBaseUrl, maxRetries: 0 });
}

const heroDataUri = `data:image/jpeg;base64,${fs.readFileSync(path.resolve(__dirname, '../../examples/assets/hero-product.jpg')).toString('base64')}`;

beforeEach(async () => {
  await resetSimulator();
});

test('imageToVideo.create().waitForTaskOutput() resolves with an output URL whose download is a 5 s MP4', async () => {
  const task = await officialClient()
    .imageToVideo.create({
      model: 'gen4_turbo',
      promptImage: heroDataUri,
      promptText: 'The product turns on a studio table',
      ratio: '1280:720',
      duration: 5,
    })
    .waitForTaskOutput({ timeout: 60_000 });
  expect(task.status).toBe('SUCCEEDED');
  const outputUrl = task.output[0];
  expect(outputUrl).toMatch(/^http/);
  const download = await request(outputUrl!);
  expect(download.statusCode).toBe(200);
  expect(download.headers['content-type']).toBe('video/mp4');
  const mp4 = Buffer.from(await download.body.arrayBuffer());
  expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
  expect(mvhdDurationSeconds(mp4)).toBeCloseTo(5, 1);
  expect(await decodeWithFfmpeg(mp4)).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
}, 60_000);

test('a prompt Runway moderates makes waitForTaskOutput() throw TaskFailedError with a SAFETY code', async () => {
  const error = await officialClient()
    .textToVideo.create({ model: 'gen4.5', promptText: 'a forbidden-content scene', ratio: '1280:720', duration: 5 })
    .waitForTaskOutput({ timeout: 60_000 })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(TaskFailedError);
  const details = (error as TaskFailedError).taskDetails;
  expect(details.status).toBe('FAILED');
  expect(details.status === 'FAILED' ? details.failureCode : undefined).toMatch(/^SAFETY\./);
}, 60_000);

test('a ratio the model does not support is a 400: the SDK throws BadRequestError naming the field', async () => {
  const error = await officialClient()
    .imageToVideo.create({ model: 'gen4_turbo', promptImage: heroDataUri, ratio: '1920:1080' as '1280:720', duration: 5 })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(BadRequestError);
  expect((error as BadRequestError).status).toBe(400);
  expect(JSON.stringify((error as BadRequestError).error)).toContain('ratio');
});

test('textToSpeech.create().waitForTaskOutput() resolves with an output URL whose download is an MP3 as long as the text takes to say', async () => {
  // 12 words at 2.5 words a second: 4.8 s of speech.
  const promptText = 'Photosynthesis turns sunlight, water and air into the sugar plants grow on.';
  const task = await officialClient()
    .textToSpeech.create({ model: 'eleven_multilingual_v2', promptText, voice: { type: 'runway-preset', presetId: 'Maya' } })
    .waitForTaskOutput({ timeout: 60_000 });
  expect(task.status).toBe('SUCCEEDED');
  const download = await request(task.output[0]!);
  expect(download.statusCode).toBe(200);
  expect(download.headers['content-type']).toBe('audio/mpeg');
  const mp3 = Buffer.from(await download.body.arrayBuffer());
  const audio = await decodeAudio(mp3);
  expect(audio.codec).toBe('mp3');
  expect(audio.durationSeconds).toBeGreaterThan(4.5);
  expect(audio.durationSeconds).toBeLessThan(5.1);
}, 60_000);

test('a voice that is not a Runway preset is a 400: the SDK throws BadRequestError naming voice.presetId', async () => {
  const error = await officialClient()
    .textToSpeech.create({
      model: 'eleven_multilingual_v2',
      promptText: 'Hello',
      voice: { type: 'runway-preset', presetId: 'Nobody' as 'Maya' },
    })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(BadRequestError);
  expect((error as BadRequestError).status).toBe(400);
  expect(JSON.stringify((error as BadRequestError).error)).toContain('voice.presetId');
});

test('organization.retrieve() parses per-model limits (a null among them), the workspace models and daily usage', async () => {
  await resetSimulator({
    concurrency: 4,
    concurrencyByModel: { 'gen4.5': null },
    maxDailyGenerations: 300,
    maxDailyGenerationsByModel: { gen4_turbo: 2, 'gen4.5': null },
    models: ['gen4_turbo', 'gen4.5'],
    dailyUsage: { gen4_turbo: 1 },
    creditBalance: 700,
  });
  const org = await officialClient().organization.retrieve();
  expect(org.creditBalance).toBe(700);
  expect(org.tier.models).toEqual({
    gen4_turbo: { maxConcurrentGenerations: 4, maxDailyGenerations: 2 },
    'gen4.5': { maxConcurrentGenerations: null, maxDailyGenerations: null },
  });
  expect(org.usage.models).toEqual({ gen4_turbo: { dailyGenerations: 1 }, 'gen4.5': { dailyGenerations: 0 } });
});

test("a create past the model's daily limit is a 429: the SDK throws RateLimitError; another model still creates", async () => {
  await resetSimulator({ maxDailyGenerationsByModel: { 'gen4.5': 1 } });
  const client = officialClient();
  const create = (promptText: string) => client.textToVideo.create({ model: 'gen4.5', promptText, ratio: '1280:720', duration: 5 });
  await create('the only one today');
  const error = await create('one too many').then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RateLimitError);
  expect((error as RateLimitError).status).toBe(429);
  expect((error as RateLimitError).headers?.get('retry-after')).toBeNull();
  expect(JSON.stringify((error as RateLimitError).error)).toMatch(/daily generation limit/i);
  const other = await client.imageToVideo.create({
    model: 'gen4_turbo',
    promptImage: heroDataUri,
    promptText: 'still allowed',
    ratio: '1280:720',
    duration: 5,
  });
  expect(other.id).toMatch(/^[0-9a-f-]{36}$/);
  expect((await simulatorLiveStats()).dailyLimitRefusals).toEqual({ overall: 1, byModel: { 'gen4.5': 1 } });
  await resetDailyUsage();
  await create('allowed again once usage is reset');
  expect((await simulatorLiveStats()).maxLive.byModel.gen4_turbo).toBe(1);
});

const rejection = (pending: Promise<unknown>) =>
  pending.then(
    () => undefined,
    (caught: unknown) => caught,
  );

test('textToVideo.create() parses for models beyond the classic ones (seedance2, hailuo3, veo3.1_fast); tasks.retrieve() parses each task', async () => {
  const client = officialClient();
  const created = [
    await client.textToVideo.create({ model: 'seedance2', promptText: 'a paper boat on a canal', ratio: '1280:720', duration: 5 }),
    await client.textToVideo.create({ model: 'hailuo3', promptText: 'a paper boat on a canal', ratio: '16:9', duration: 6 }),
    await client.textToVideo.create({ model: 'veo3.1_fast', promptText: 'a paper boat on a canal', ratio: '1280:720', duration: 4 }),
    await client.imageToVideo.create({
      model: 'gen4.5',
      promptImage: heroDataUri,
      promptText: 'the product turns',
      ratio: '960:960',
      duration: 2,
    }),
  ];
  expect(created.map((task) => task.estimatedCost.credits)).toEqual([5 * 20, 6 * 10, 4 * 15, 2 * 12]);
  for (const { id } of created) {
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const task = await client.tasks.retrieve(id);
    expect(task.id).toBe(id);
    expect(['PENDING', 'THROTTLED', 'RUNNING', 'SUCCEEDED']).toContain(task.status);
  }
  const done = await client.tasks.retrieve(created[0]!.id).waitForTaskOutput({ timeout: 60_000 });
  expect(done.status).toBe('SUCCEEDED');
  expect(done.output[0]).toMatch(/^http/);
}, 90_000);

test('tasks.delete() cancels a task (204, resolves); tasks.retrieve() of it is then a NotFoundError', async () => {
  const client = officialClient();
  const { id } = await client.textToVideo.create({ model: 'gen4.5', promptText: 'a long pan over hills', ratio: '1280:720', duration: 10 });
  await client.tasks.delete(id); // 204: the SDK resolves without a body
  const error = await rejection(client.tasks.retrieve(id));
  expect(error).toBeInstanceOf(NotFoundError);
});

test('requests the SDK types forbid are 400s the SDK surfaces as BadRequestError naming the field or model', async () => {
  const client = officialClient();
  // Each request's rejection is taken as it is sent: awaited one by one, a quick 400 would go unhandled while an
  // earlier, slower request is still answered.
  const cases: Array<[Promise<unknown>, string]> = [
    // gen4.5 image_to_video requires promptText in the SDK's types.
    [client.imageToVideo.create({ model: 'gen4.5', promptImage: heroDataUri, ratio: '1280:720', duration: 5 } as never), 'promptText'],
    [client.textToVideo.create({ model: 'gen4.5', promptText: 'x', ratio: '1104:832' as '1280:720', duration: 5 }), 'ratio'],
    [client.textToVideo.create({ model: 'seedance2', promptText: 'x', ratio: '1234:567' as '1280:720' }), 'ratio'],
    [client.imageToVideo.create({ model: 'gen3a_turbo' as 'gen4_turbo', promptImage: heroDataUri, ratio: '1280:720' }), 'gen3a_turbo'],
    [
      client.imageToVideo.create({ model: 'gen4_turbo', promptImage: 'runway://never-uploaded', ratio: '1280:720' }),
      'unknown or expired upload URI',
    ],
    [
      client.textToSpeech.create({ model: 'eleven_multilingual_v2', voice: { type: 'runway-preset', presetId: 'Maya' } } as never),
      'promptText',
    ],
  ];
  const refusals = cases.map(([pending, named]) => [rejection(pending), named] as const);
  for (const [refused, named] of refusals) {
    const error = await refused;
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    expect(JSON.stringify((error as BadRequestError).error)).toContain(named);
  }
});
