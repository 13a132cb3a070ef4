// One file on purpose: the simulator's own suite, one describe per surface (transport, validation, contract
// table, silent queue, failures, faults, outputs, organization, speech) against one simulator it starts once.
import fs from 'node:fs';
import { startSimulator, type SimulatorHandle } from '../../simulator/server';
import {
  API_HEADERS,
  callJson,
  decodeWithFfmpeg,
  isFinished,
  mvhdDurationSeconds,
  rawDownload,
  runwayApi,
  sha256,
  simAdmin,
  SUITE_TIME_SCALE,
  suiteConfig,
  TINY_PNG_DATA_URI,
  topLevelBoxTypes,
  waitUntil,
} from './helpers';

const BASE_CONFIG = suiteConfig(7);

let sim: SimulatorHandle;
let api: ReturnType<typeof runwayApi>;
let admin: ReturnType<typeof simAdmin>;

beforeAll(async () => {
  sim = await startSimulator({ ...BASE_CONFIG, port: 0 });
  api = runwayApi(sim.url);
  admin = simAdmin(sim.url);
});

afterAll(async () => {
  await sim.close();
  fs.rmSync(BASE_CONFIG.mediaCacheDir, { recursive: true, force: true });
});

const reset = (overrides: Record<string, unknown> = {}) => admin.reset({ ...BASE_CONFIG, ...overrides });

const i2v = (promptText: string, extra: Record<string, unknown> = {}) => ({
  model: 'gen4_turbo',
  promptImage: TINY_PNG_DATA_URI,
  promptText,
  ratio: '1280:720',
  duration: 5,
  ...extra,
});

async function submit(promptText: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await api.create('image_to_video', i2v(promptText, extra));
  expect(response.status).toBe(200);
  return String(response.body.id);
}

const finished = (id: string) => waitUntil(() => api.task(id), isFinished);

async function succeededUrl(id: string): Promise<string> {
  const task = await finished(id);
  expect(task.body.status).toBe('SUCCEEDED');
  return (task.body.output as string[])[0] ?? '';
}

async function download(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('transport', () => {
  beforeEach(() => reset());

  it('answers 401 without the bearer secret or with a wrong one', async () => {
    const { Authorization: _omitted, ...noAuth } = API_HEADERS;
    const missing = await callJson(`${sim.url}/v1/organization`, { headers: noAuth });
    const wrong = await callJson(`${sim.url}/v1/organization`, { headers: { ...API_HEADERS, Authorization: 'Bearer nope' } });
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(typeof wrong.body.error).toBe('string');
  });

  it('answers 400 when X-Runway-Version is missing or unknown', async () => {
    const { 'X-Runway-Version': _omitted, ...noVersion } = API_HEADERS;
    const missing = await callJson(`${sim.url}/v1/organization`, { headers: noVersion });
    const unknown = await callJson(`${sim.url}/v1/organization`, { headers: { ...API_HEADERS, 'X-Runway-Version': '2023-01-01' } });
    for (const response of [missing, unknown]) {
      expect(response.status).toBe(400);
      expect(String(response.body.error)).toMatch(/X-Runway-Version.*2024-11-06/);
    }
  });

  it('answers 405 for a wrong method and 404 for unknown tasks and paths', async () => {
    expect((await callJson(`${sim.url}/v1/image_to_video`)).status).toBe(405);
    expect((await callJson(`${sim.url}/v1/tasks/abc`, { method: 'PUT', body: {} })).status).toBe(405);
    expect((await api.task('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await callJson(`${sim.url}/v1/nothing-here`)).status).toBe(404);
  });

  it('keeps the admin surface off /v1', async () => {
    expect((await callJson(`${sim.url}/v1/__sim/stats`, { headers: {} })).status).toBe(401);
    expect((await callJson(`${sim.url}/v1/__sim/stats`)).status).toBe(404);
  });
});

describe('validation', () => {
  beforeAll(() => reset());

  const cases: Array<[string, 'image_to_video' | 'text_to_video', Record<string, unknown>, RegExp]> = [
    ['unknown model', 'image_to_video', i2v('x', { model: 'gen9' }), /^model: .*allowed: .*gen4_turbo/],
    [
      'retired model gen3a_turbo',
      'image_to_video',
      i2v('x', { model: 'gen3a_turbo', ratio: '1280:768' }),
      /^model: gen3a_turbo has been retired/,
    ],
    [
      'gen4.5 image_to_video without promptText',
      'image_to_video',
      { model: 'gen4.5', promptImage: TINY_PNG_DATA_URI, ratio: '1280:720', duration: 5 },
      /^promptText: is required/,
    ],
    [
      'gen4.5 without duration (required by the SDK)',
      'text_to_video',
      { model: 'gen4.5', promptText: 'x', ratio: '1280:720' },
      /^duration: is required/,
    ],
    [
      'runway:// URI no upload issued',
      'image_to_video',
      i2v('x', { promptImage: 'runway://uploads/never-issued' }),
      /^promptImage: unknown or expired upload URI/,
    ],
    [
      'a field another model has (seedance2 referenceAudio on gen4.5)',
      'text_to_video',
      { model: 'gen4.5', promptText: 'x', ratio: '1280:720', duration: 5, referenceAudio: [] },
      /^referenceAudio: unknown field/,
    ],
    ['seedance2 duration past its range', 'text_to_video', { model: 'seedance2', promptText: 'x', duration: 30 }, /^duration: /],
    [
      'hailuo3 text_to_video with an image-only ratio',
      'text_to_video',
      { model: 'hailuo3', promptText: 'x', ratio: 'adaptive' },
      /^ratio: /,
    ],
    [
      'model without that endpoint',
      'text_to_video',
      { model: 'gen4_turbo', promptText: 'x', ratio: '1280:720' },
      /^model: .*text_to_video/,
    ],
    ['ratio not allowed', 'image_to_video', i2v('x', { ratio: '16:9' }), /^ratio: .*allowed: 1280:720, 720:1280/],
    ['duration not allowed', 'image_to_video', i2v('x', { duration: 7 }), /^duration: .*allowed: 5, 10/],
    ['empty promptText', 'image_to_video', i2v('   '), /^promptText: /],
    ['promptText over 1000 UTF-16 units', 'image_to_video', i2v('é'.repeat(1001)), /^promptText: .*1000/],
    ['missing promptText on text_to_video', 'text_to_video', { model: 'gen4.5', ratio: '1280:720' }, /^promptText: /],
    ['seed out of range', 'image_to_video', i2v('x', { seed: 4_294_967_296 }), /^seed: /],
    ['unknown field', 'image_to_video', i2v('x', { negativePrompt: 'no' }), /^negativePrompt: unknown field/],
    [
      'data URI that is not an image',
      'image_to_video',
      i2v('x', { promptImage: `data:image/png;base64,${Buffer.from('hello world').toString('base64')}` }),
      /^promptImage: .*not a png/,
    ],
    [
      'data URI of another type',
      'image_to_video',
      i2v('x', { promptImage: 'data:text/plain;base64,aGVsbG8=' }),
      /^promptImage: invalid data URI/,
    ],
    ['http:// URL', 'image_to_video', i2v('x', { promptImage: 'http://example.com/a.png' }), /^promptImage: only HTTPS/],
    ['IP address URL', 'image_to_video', i2v('x', { promptImage: 'https://203.0.113.7/a.png' }), /^promptImage: .*domain name/],
    [
      'last frame on a model without it',
      'image_to_video',
      i2v('x', { promptImage: [{ uri: TINY_PNG_DATA_URI, position: 'last' }] }),
      /^promptImage\.0\.position: /,
    ],
  ];

  it.each(cases)('rejects %s with a 400 naming the field', async (_name, endpoint, body, message) => {
    const response = await api.create(endpoint, body);
    expect(response.status).toBe(400);
    expect(String(response.body.error)).toMatch(message);
  });

  it('accepts https and keyframe-array images, and creates no task for rejected bodies', async () => {
    const before = (await admin.stats()).submissions.total;
    const accepted = [
      i2v('x', { promptImage: 'https://images.example.com/hero.png' }),
      i2v('x', {
        model: 'veo3.1',
        ratio: '1920:1080',
        duration: 4,
        promptImage: [
          { uri: TINY_PNG_DATA_URI, position: 'first' },
          { uri: 'https://a.example.com/z.webp', position: 'last' },
        ],
      }),
    ];
    for (const body of accepted) expect((await api.create('image_to_video', body)).status).toBe(200);
    expect((await admin.stats()).submissions.total).toBe(before + accepted.length);
  });
});

describe('contract table', () => {
  beforeAll(() => reset());

  // Models of SDK 4.20.1 that the product's catalog may not know: the simulator takes them from its own table.
  const accepted: Array<[string, 'image_to_video' | 'text_to_video', Record<string, unknown>, number]> = [
    [
      'seedance2 text_to_video (no ratio, default duration)',
      'text_to_video',
      { model: 'seedance2', promptText: 'a kite over dunes' },
      5 * 20,
    ],
    ['hailuo3 text_to_video', 'text_to_video', { model: 'hailuo3', promptText: 'a kite over dunes', ratio: '16:9', duration: 6 }, 6 * 10],
    [
      'seedance2_fast image_to_video with reference images',
      'image_to_video',
      { model: 'seedance2_fast', promptImage: [{ uri: TINY_PNG_DATA_URI }, { uri: 'https://a.example.com/b.png' }], duration: 'auto' },
      15 * 10,
    ],
    ['gen4.5 image_to_video at 12 credits a second', 'image_to_video', i2v('x', { model: 'gen4.5', duration: 3 }), 3 * 12],
    [
      'veo3.1 text_to_video with audio off at 20 credits a second',
      'text_to_video',
      { model: 'veo3.1', promptText: 'x', ratio: '1280:720', duration: 4, audio: false },
      4 * 20,
    ],
  ];

  it.each(accepted)('accepts %s and bills its price', async (_name, endpoint, body, credits) => {
    const response = await api.create(endpoint, body);
    expect(response.status).toBe(200);
    expect(response.body.estimatedCost).toEqual({ credits });
  });

  it('GET /v1/organization lists every SDK video model (no retired gen3a_turbo)', async () => {
    const models = Object.keys(((await api.organization()).body.tier as { models: Record<string, unknown> }).models);
    for (const model of [
      'gen4.5',
      'gen4_turbo',
      'veo3.1',
      'veo3.1_fast',
      'hailuo3',
      'seedance2',
      'seedance2_fast',
      'wan3',
      'h3_max',
      'eleven_multilingual_v2',
    ]) {
      expect(models).toContain(model);
    }
    expect(models).not.toContain('gen3a_turbo');
  });

  it('config model ids validate against the simulator table: a new SDK model is accepted, an unknown one refused', async () => {
    expect((await admin.config({ concurrencyByModel: { hailuo3: 2 } })).status).toBe(200);
    expect((await admin.config({ concurrencyByModel: { gen9: 2 } })).status).toBe(400);
    expect((await admin.config({ faults: { rules: [{ match: { model: 'gen3a_turbo' }, fault: 'moderation' }] } })).status).toBe(400);
  });
});

describe('the silent queue', () => {
  it('holds tasks beyond the concurrency cap THROTTLED until slots free, then runs them all', async () => {
    // 3,000 simulated seconds is 5 s of real time: room for twelve creates and reads on a loaded CI machine
    // before the first slot frees.
    await reset({ concurrency: 10, queueFailAfterSeconds: null, generationSeconds: { kind: 'fixed', seconds: 3000 } });
    const ids: string[] = [];
    for (let n = 0; n < 12; n += 1) ids.push(await submit(`queue test ${n}`));
    const first = await Promise.all(ids.map((id) => api.task(id)));
    const throttled = first.filter((task) => task.body.status === 'THROTTLED').map((task) => task.body.id);
    expect(throttled).toEqual(ids.slice(10));
    const midway = await admin.stats();
    expect(midway.currentThrottled.overall).toBe(2);
    expect(midway.currentRunning.overall).toBeLessThanOrEqual(10);

    const finals = await Promise.all(ids.map((id) => waitUntil(() => api.task(id), isFinished, 30_000)));
    expect(finals.map((task) => task.body.status)).toEqual(Array(12).fill('SUCCEEDED'));
    const stats = await admin.stats();
    expect(stats.throttledCount).toBe(2);
    expect(stats.maxConcurrentRunning.overall).toBe(10);
    expect(stats.maxConcurrentRunning.byModel.gen4_turbo).toBe(10);
    expect(stats.currentRunning.overall).toBe(0);
    const firstFinish = Math.min(...stats.tasks.filter((task) => !throttled.includes(task.id)).map(simSecondsOf('SUCCEEDED')));
    for (const task of stats.tasks.filter((candidate) => throttled.includes(candidate.id))) {
      expect(task.history.map((change) => change.status)).toEqual(['THROTTLED', 'PENDING', 'RUNNING', 'SUCCEEDED']);
      expect(simSecondsOf('RUNNING')(task)).toBeGreaterThanOrEqual(firstFinish);
    }
  });

  it('DELETE cancels a running task, frees its slot, and the task is gone', async () => {
    await reset({ concurrencyByModel: { gen4_turbo: 1 }, generationSeconds: { kind: 'fixed', seconds: 3000 } });
    const running = await submit('long one');
    const waiting = await submit('waits for the slot');
    await waitUntil(
      () => api.task(running),
      (task) => task.body.status === 'RUNNING',
    );
    expect((await api.task(waiting)).body.status).toBe('THROTTLED');

    expect((await api.remove(running)).status).toBe(204);
    expect((await api.task(running)).status).toBe(404);
    expect((await api.remove(running)).status).toBe(404);
    await waitUntil(
      () => api.task(waiting),
      (task) => task.body.status === 'RUNNING',
      2_000,
    );

    const third = await submit('never runs');
    expect((await api.task(third)).body.status).toBe('THROTTLED');
    expect((await api.remove(third)).status).toBe(204);
    const stats = await admin.stats();
    const byId = new Map(stats.tasks.map((task) => [task.id, task]));
    expect(byId.get(running)).toMatchObject({ status: 'CANCELLED', deleted: true, refunded: false });
    expect(byId.get(third)).toMatchObject({ status: 'CANCELLED', deleted: true, refunded: true });
    expect(stats.credits).toEqual({ charged: 75, refunded: 25, net: 50 });
    expect((await api.organization()).body.creditBalance).toBe(1_000_000 - 50);
    await api.remove(waiting);
  });

  it('fails tasks queued longer than queueFailAfterSeconds (and refunds them)', async () => {
    await reset({ concurrencyByModel: { gen4_turbo: 1 }, generationSeconds: { kind: 'fixed', seconds: 6000 }, queueFailAfterSeconds: 120 });
    const running = await submit('holds the only slot');
    const queued = await submit('waits too long');
    const failed = await finished(queued);
    expect(failed.body).toMatchObject({ status: 'FAILED', failureCode: 'INTERNAL.QUEUE_TIMEOUT', cost: { credits: 0 } });
    expect((await api.task(running)).body.status).toBe('RUNNING');
    const task = await admin.task(queued);
    expect(task.history.map((change) => change.status)).toEqual(['THROTTLED', 'FAILED']);
    expect(task.history[1]?.simSeconds).toBeCloseTo((task.history[0]?.simSeconds ?? 0) + 120, -1);
    await api.remove(running);
  });
});

const simSecondsOf = (status: string) => (task: { history: Array<{ status: string; simSeconds: number }> }) =>
  task.history.find((change) => change.status === status)?.simSeconds ?? Number.NaN;

describe('task failures', () => {
  it('fails a prompt with a moderation term with SAFETY.INPUT.TEXT and still charges it', async () => {
    await reset({ faults: { moderationTerms: ['forbidden-thing'] } });
    const id = await submit('a FORBIDDEN-THING in the park');
    const task = await finished(id);
    expect(task.body).toMatchObject({ status: 'FAILED', failureCode: 'SAFETY.INPUT.TEXT', cost: { credits: 25 } });
    expect(typeof task.body.failure).toBe('string');
    expect((await admin.task(id)).history.map((change) => change.status)).toEqual(['PENDING', 'FAILED']);
  });

  it('a bad_output rule with times:1 fails the first submission only', async () => {
    await reset({ faults: { rules: [{ match: { promptIncludes: 'flaky' }, fault: 'bad_output', times: 1 }] } });
    const first = await finished(await submit('flaky shot'));
    expect(first.body).toMatchObject({ status: 'FAILED', failureCode: 'INTERNAL.BAD_OUTPUT.CODE01' });
    const other = await submit('steady shot');
    const again = await submit('flaky shot');
    expect((await finished(again)).body.status).toBe('SUCCEEDED');
    expect((await finished(other)).body.status).toBe('SUCCEEDED');
    expect((await admin.stats()).createsByPrompt['flaky shot']).toBe(2);
  });

  it('a fail rule fails matched tasks with the given failureCode, or with none', async () => {
    await reset({
      faults: {
        rules: [
          {
            match: { promptIncludes: 'smudged' },
            fault: 'fail',
            failureCode: 'INPUT_PREPROCESSING.SAFETY.TEXT',
            failure: 'The prompt was refused.',
            times: 1,
          },
          { match: { promptIncludes: 'mystery' }, fault: 'fail' },
        ],
      },
    });
    const refused = await finished(await submit('smudged glass'));
    expect(refused.body).toMatchObject({
      status: 'FAILED',
      failureCode: 'INPUT_PREPROCESSING.SAFETY.TEXT',
      failure: 'The prompt was refused.',
      cost: { credits: 25 },
    });
    const codeless = await finished(await submit('mystery box'));
    expect(codeless.body).toMatchObject({ status: 'FAILED' });
    expect(codeless.body).not.toHaveProperty('failureCode');
    expect((await finished(await submit('smudged glass'))).body.status).toBe('SUCCEEDED');
    expect(((await admin.stats()) as unknown as { faultsInjected: Record<string, number> }).faultsInjected).toMatchObject({ fail: 2 });
  });

  it("an off_contract rule answers the matched task's GETs with a 200 off the API contract", async () => {
    await reset({
      faults: {
        rules: [
          { match: { promptIncludes: 'odd' }, fault: 'off_contract' },
          { match: { promptIncludes: 'hollow' }, fault: 'off_contract', body: { status: 'SUCCEEDED', output: null }, times: 1 },
        ],
      },
    });
    const odd = await submit('odd one');
    const answer = await api.task(odd);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: odd, status: 'ARCHIVED' });
    const hollow = await submit('hollow shell');
    const first = await api.task(hollow);
    expect(first.body.status).toBe('SUCCEEDED');
    expect(first.body).not.toHaveProperty('output');
    expect(['PENDING', 'RUNNING', 'SUCCEEDED']).toContain((await api.task(hollow)).body.status);
    expect((await api.remove(odd)).status).toBe(204);
  });

  it('stuck tasks never move on their own: stuck_queue outlives the queue limit, stuck_running keeps its slot', async () => {
    await reset({
      concurrencyByModel: { gen4_turbo: 1 },
      queueFailAfterSeconds: 120,
      faults: {
        rules: [
          { match: { promptIncludes: 'limbo' }, fault: 'stuck_queue' },
          { match: { promptIncludes: 'treadmill' }, fault: 'stuck_running' },
        ],
      },
    });
    const limbo = await submit('limbo');
    const treadmill = await submit('treadmill');
    await waitUntil(
      () => api.task(treadmill),
      (task) => task.body.status === 'RUNNING',
    );
    const blocked = await submit('blocked behind the treadmill');
    await new Promise((resolve) => setTimeout(resolve, 400)); // 240 simulated s: past the queue limit and the 60 s generation
    expect((await api.task(limbo)).body.status).toBe('PENDING');
    const stuck = await api.task(treadmill);
    expect(stuck.body.status).toBe('RUNNING');
    expect(stuck.body.progress).toBeLessThanOrEqual(0.9);
    expect((await api.task(blocked)).body).toMatchObject({ status: 'FAILED', failureCode: 'INTERNAL.QUEUE_TIMEOUT' });
    await api.remove(treadmill);
    await api.remove(limbo);
  });
});

describe('HTTP faults', () => {
  it('http_error and reset rules hit their route the given number of times', async () => {
    await reset({
      faults: {
        rules: [
          { fault: 'http_error', route: 'create', status: 503, retryAfterSeconds: 2, times: 1 },
          { fault: 'reset', route: 'get', times: 1 },
        ],
      },
    });
    const refused = await api.create('image_to_video', i2v('x'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    const id = await submit('x');
    await expect(api.task(id)).rejects.toThrow();
    expect((await api.task(id)).status).toBe(200);
  });

  it('a reset after processing loses the answer but not the task', async () => {
    await reset({ faults: { rules: [{ fault: 'reset', route: 'create', afterProcessing: true, times: 1 }] } });
    await expect(api.create('image_to_video', i2v('lost answer'))).rejects.toThrow();
    const stats = await admin.stats();
    expect(stats.submissions.total).toBe(1);
    expect(stats.tasks[0]?.promptText).toBe('lost answer');
  });

  it('random rates: 429 with Retry-After on creates, 5xx on the configured method only', async () => {
    await reset({ faults: { rateLimitRate: 1, retryAfterSeconds: 3 } });
    const limited = await api.create('image_to_video', i2v('x'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');

    await reset({ faults: { serverErrorRate: { get: 1 } } });
    const id = await submit('x');
    const failing = await api.task(id);
    expect([502, 503, 504]).toContain(failing.status);
    expect(typeof failing.body.error).toBe('string');
    expect((await api.remove(id)).status).toBe(204);
  });
});

describe('outputs', () => {
  beforeEach(() => reset());

  it('serves the output at a signed URL: whole, ranged, HEAD, and checksummed like the stats say', async () => {
    const id = await submit('a lighthouse');
    const url = await succeededUrl(id);
    expect(url).toMatch(new RegExp(`^${sim.url}/media/${id}/[^?]+\\.mp4\\?exp=\\d+&sig=[0-9a-f]{64}$`));

    const whole = await download(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(whole.headers.get('content-length'))).toBe(whole.bytes.length);
    const task = await admin.task(id);
    expect(sha256(whole.bytes)).toBe(task.outputSha256);
    expect(whole.bytes.length).toBe(task.outputBytes);

    const ranged = await download(url, { Range: 'bytes=100-199' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${whole.bytes.length}`);
    expect(ranged.bytes.equals(whole.bytes.subarray(100, 200))).toBe(true);
    const tail = await download(url, { Range: 'bytes=-10' });
    expect(tail.bytes.equals(whole.bytes.subarray(-10))).toBe(true);
    expect((await download(url, { Range: `bytes=${whole.bytes.length}-` })).status).toBe(416);

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(whole.bytes.length);
  });

  it('answers 403 for a tampered signature and for an expired URL; each GET signs afresh', async () => {
    await reset({ urlTtlSeconds: 600, faults: { rules: [{ match: { promptIncludes: 'stale' }, fault: 'expire_url', times: 1 }] } });
    const id = await submit('stale link');
    const expired = await succeededUrl(id);
    expect((await download(expired)).status).toBe(403);
    const fresh = String(((await api.task(id)).body.output as string[])[0]);
    expect(fresh).not.toBe(expired);
    expect((await download(fresh)).status).toBe(200);
    const tampered = fresh.replace(/sig=([0-9a-f])/, (_match, digit: string) => `sig=${digit === '0' ? '1' : '0'}`);
    expect((await download(tampered)).status).toBe(403);
    const later = fresh.replace(/exp=(\d+)/, (_match, exp: string) => `exp=${Number(exp) + 1000}`);
    expect((await download(later)).status).toBe(403);

    // urlTtlSeconds 600 at 600× is one real second.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const aged = await download(fresh);
    expect(aged.status).toBe(403);
    expect((await admin.stats()).downloads.forbidden).toBe(4);
  });

  it('a truncate_download rule with times:1 cuts the first download short, the next is whole', async () => {
    await reset({ faults: { rules: [{ match: { promptIncludes: 'choppy' }, fault: 'truncate_download', times: 1 }] } });
    const url = await succeededUrl(await submit('choppy seas'));
    const cut = await rawDownload(url);
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.bytes.length).toBeLessThan(cut.contentLength);
    const whole = await rawDownload(url);
    expect(whole.complete).toBe(true);
    expect(whole.bytes.length).toBe(whole.contentLength);
    expect((await admin.stats()).downloads.truncated).toBe(1);
  });

  it('outputs are real H.264 MP4s of the requested size and duration', async () => {
    const landscape = await download(await succeededUrl(await submit('five seconds')));
    expect(topLevelBoxTypes(landscape.bytes)[0]).toBe('ftyp');
    expect(mvhdDurationSeconds(landscape.bytes)).toBeCloseTo(5, 1);
    expect(await decodeWithFfmpeg(landscape.bytes)).toEqual({ codec: 'h264', width: 1280, height: 720 });

    const created = await api.create('text_to_video', { model: 'gen4.5', promptText: 'two seconds', ratio: '720:1280', duration: 2 });
    const portrait = await download(await succeededUrl(String(created.body.id)));
    expect(mvhdDurationSeconds(portrait.bytes)).toBeCloseTo(2, 1);
    expect(await decodeWithFfmpeg(portrait.bytes)).toEqual({ codec: 'h264', width: 720, height: 1280 });
  });

  it('pads outputs to outputBytes with a free box and stays a valid MP4', async () => {
    await reset({ outputBytes: 3_000_000 });
    const id = await submit('padded');
    const padded = await download(await succeededUrl(id));
    expect(padded.bytes.length).toBe(3_000_000);
    expect(topLevelBoxTypes(padded.bytes).slice(-1)).toEqual(['free']);
    expect(sha256(padded.bytes)).toBe((await admin.task(id)).outputSha256);
    expect(mvhdDurationSeconds(padded.bytes)).toBeCloseTo(5, 1);
    expect((await decodeWithFfmpeg(padded.bytes)).codec).toBe('h264');
  });
});

describe('determinism', () => {
  const prompts = ['dawn', 'noon', 'dusk', 'midnight'];

  async function generationTimes(order: string[], seed: number): Promise<Record<string, number[]>> {
    await reset({ seed, generationSeconds: { kind: 'lognormal', median: 30, sigma: 0.5 } });
    for (const prompt of [...order, ...order]) await submit(prompt);
    const times: Record<string, number[]> = {};
    for (const task of (await admin.stats()).tasks) (times[task.promptText ?? ''] ??= []).push(task.generationSeconds);
    return times;
  }

  it('draws the same generation times for the same prompts whatever the submission order', async () => {
    const forward = await generationTimes(prompts, 11);
    const backward = await generationTimes([...prompts].reverse(), 11);
    const otherSeed = await generationTimes(prompts, 12);
    expect(backward).toEqual(forward);
    expect(forward.dawn).toHaveLength(2);
    expect(forward.dawn?.[1]).not.toBe(forward.dawn?.[0]); // the nth submission gets its own draw
    expect(otherSeed.dawn?.[0]).not.toBe(forward.dawn?.[0]);
  });
});

describe('organization and admin', () => {
  it('reports tier limits, daily usage and the credit balance', async () => {
    await reset({ concurrency: 3, concurrencyByModel: { 'veo3.1': 2 }, maxDailyGenerations: 50, creditBalance: 1000 });
    await submit('one');
    await submit('two');
    const org = await api.organization();
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({
      creditBalance: 950,
      tier: { models: { gen4_turbo: { maxConcurrentGenerations: 3, maxDailyGenerations: 50 }, 'veo3.1': { maxConcurrentGenerations: 2 } } },
      usage: { models: { gen4_turbo: { dailyGenerations: 2 }, 'gen4.5': { dailyGenerations: 0 } } },
    });
  });

  it('refuses creates beyond the credit balance (400) and the daily cap (429)', async () => {
    await reset({ creditBalance: 30, maxDailyGenerations: 1 });
    await submit('fits');
    expect((await api.create('image_to_video', i2v('too dear'))).status).toBe(400);
    await reset({ maxDailyGenerations: 1 });
    await submit('fits');
    expect((await api.create('image_to_video', i2v('one too many'))).status).toBe(429);
  });

  it('POST /__sim/config merges a partial config; invalid configs are refused with 400', async () => {
    await reset({ faults: { rules: [{ fault: 'expire_url' }] } });
    const merged = await admin.config({ faults: { badOutputRate: 0.5 }, concurrency: 4 });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      concurrency: 4,
      timeScale: SUITE_TIME_SCALE,
      faults: { badOutputRate: 0.5, rules: [{ fault: 'expire_url' }] },
    });
    const invalid = await admin.config({ faults: { badOutputRate: 2 } });
    expect(invalid.status).toBe(400);
    expect(String((invalid.body as { error?: unknown }).error)).toMatch(/badOutputRate/);
    expect((await admin.config({ unknownKnob: true })).status).toBe(400);
    expect((await callJson(`${sim.url}/__sim/config`, { headers: {} })).body).toMatchObject({ concurrency: 4 });
  });

  it('reset clears tasks and counters', async () => {
    await submit('before reset');
    await reset();
    const stats = await admin.stats();
    expect(stats.submissions.total).toBe(0);
    expect(stats.tasks).toEqual([]);
    expect((await callJson(`${sim.url}/__sim/tasks/nope`, { headers: {} })).status).toBe(404);
  });
});

describe('organization limits', () => {
  const t2v = (promptText: string) => ({ model: 'gen4.5', promptText, ratio: '1280:720', duration: 5 });
  const modelsOf = (org: Record<string, unknown>, part: 'tier' | 'usage') =>
    Object.keys((org[part] as { models: Record<string, unknown> }).models).sort();

  it('shows per-model caps, daily limits (null = none), the workspace models and seeded daily usage', async () => {
    await reset({
      concurrency: 3,
      concurrencyByModel: { 'gen4.5': 5, 'veo3.1': null },
      maxDailyGenerations: null,
      maxDailyGenerationsByModel: { gen4_turbo: 3 },
      models: ['gen4_turbo', 'gen4.5', 'veo3.1'],
      dailyUsage: { 'gen4.5': 4 },
    });
    await submit('counted');
    const org = await api.organization();
    expect(org.status).toBe(200);
    expect(modelsOf(org.body, 'tier')).toEqual(['gen4.5', 'gen4_turbo', 'veo3.1']);
    expect(modelsOf(org.body, 'usage')).toEqual(['gen4.5', 'gen4_turbo', 'veo3.1']);
    expect(org.body.tier).toMatchObject({
      models: {
        gen4_turbo: { maxConcurrentGenerations: 3, maxDailyGenerations: 3 },
        'gen4.5': { maxConcurrentGenerations: 5, maxDailyGenerations: null },
        'veo3.1': { maxConcurrentGenerations: null, maxDailyGenerations: null },
      },
    });
    expect(org.body.usage).toEqual({
      models: { gen4_turbo: { dailyGenerations: 1 }, 'gen4.5': { dailyGenerations: 4 }, 'veo3.1': { dailyGenerations: 0 } },
    });
  });

  it('answers the 4th create of a model with a daily limit of 3 with 429 (no Retry-After, nothing billed) while another model still creates', async () => {
    // The other model's limit is 3 too: a count across models would refuse it.
    await reset({ maxDailyGenerations: 3, maxDailyGenerationsByModel: { gen4_turbo: 3 } });
    for (const n of [1, 2, 3]) await submit(`quota ${n}`);
    const before = await admin.stats();
    const refused = await api.create('image_to_video', i2v('quota 4'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(String(refused.body.error)).toMatch(/daily generation limit reached for gen4_turbo/i);
    const other = await api.create('text_to_video', t2v('another model'));
    expect(other.status).toBe(200);
    const stats = await admin.stats();
    expect(stats.submissions.byModel).toEqual({ gen4_turbo: 3, 'gen4.5': 1 });
    expect(stats.credits.charged).toBe(before.credits.charged + Number((other.body.estimatedCost as { credits: number }).credits));
    expect(stats.dailyLimitRefusals).toEqual({ overall: 1, byModel: { gen4_turbo: 1 } });
    expect(stats.requests.rejectedByStatus['429']).toBe(1);
    expect((await api.organization()).body.usage).toMatchObject({
      models: { gen4_turbo: { dailyGenerations: 3 }, 'gen4.5': { dailyGenerations: 1 } },
    });
  });

  it('counts dailyUsage seeds toward the limit; POST /__sim/usage/reset forgets all usage, the tasks stay', async () => {
    await reset({ maxDailyGenerationsByModel: { gen4_turbo: 3 }, dailyUsage: { gen4_turbo: 2 } });
    const mine = await submit('the last one left');
    expect((await api.create('image_to_video', i2v('over'))).status).toBe(429);
    expect((await admin.config({ dailyUsage: { 'gen4.5': 7 } })).status).toBe(200);
    expect((await api.organization()).body.usage).toMatchObject({
      models: { gen4_turbo: { dailyGenerations: 3 }, 'gen4.5': { dailyGenerations: 7 } },
    });

    expect((await callJson(`${sim.url}/__sim/usage/reset`, { headers: {} })).status).toBe(405);
    await admin.resetUsage();
    const org = await api.organization();
    expect(org.body.usage).toMatchObject({ models: { gen4_turbo: { dailyGenerations: 0 }, 'gen4.5': { dailyGenerations: 0 } } });
    expect((await api.task(mine)).status).toBe(200);
    for (const n of [1, 2, 3]) await submit(`after reset ${n}`);
    expect((await api.create('image_to_video', i2v('over again'))).status).toBe(429);
    expect((await admin.stats()).dailyLimitRefusals.byModel.gen4_turbo).toBe(2);
  });

  it('ages usage (own tasks and seeds) out of the rolling window after 24 simulated hours', async () => {
    await reset({ maxDailyGenerationsByModel: { gen4_turbo: 2 }, dailyUsage: { gen4_turbo: 1 } });
    await submit('yesterday');
    expect((await api.create('image_to_video', i2v('today'))).status).toBe(429);
    const start = (await admin.stats()).simulatedSeconds;
    // 1 000 000 simulated seconds per real second: a simulated day passes in under 0.1 s.
    await admin.config({ timeScale: 1_000_000 });
    await waitUntil(admin.stats, (stats) => stats.simulatedSeconds > start + 86_400 + 600, 5_000);
    await admin.config({ timeScale: SUITE_TIME_SCALE });
    expect((await api.organization()).body.usage).toMatchObject({ models: { gen4_turbo: { dailyGenerations: 0 } } });
    await submit('today');
    await submit('today again');
    expect((await api.create('image_to_video', i2v('one too many today'))).status).toBe(429);
  });

  it('null limits: a null daily limit never refuses, a null concurrency never throttles; per-model null overrides the global value', async () => {
    await reset({
      concurrency: 2,
      concurrencyByModel: { gen4_turbo: null },
      maxDailyGenerations: 1,
      maxDailyGenerationsByModel: { gen4_turbo: null },
      generationSeconds: { kind: 'fixed', seconds: 60_000 },
    });
    const ids: string[] = [];
    for (let n = 0; n < 12; n += 1) ids.push(await submit(`unlimited ${n}`));
    const statuses = await Promise.all(ids.map(async (id) => String((await api.task(id)).body.status)));
    expect(statuses.filter((status) => status === 'THROTTLED')).toEqual([]);
    expect((await api.create('text_to_video', t2v('limited model'))).status).toBe(200);
    expect((await api.create('text_to_video', t2v('limited model again'))).status).toBe(429);
    const org = await api.organization();
    expect(org.body.tier).toMatchObject({
      models: {
        gen4_turbo: { maxConcurrentGenerations: null, maxDailyGenerations: null },
        'gen4.5': { maxConcurrentGenerations: 2, maxDailyGenerations: 1 },
      },
    });
    for (const id of ids) await api.remove(id);
  });

  it('refuses a model the workspace does not have with a 400 naming it, and creates no task', async () => {
    await reset({ models: ['gen4.5'] });
    const refused = await api.create('image_to_video', i2v('not in this workspace'));
    expect(refused.status).toBe(400);
    expect(String(refused.body.error)).toMatch(/gen4_turbo.*not available/);
    const allowed = await api.create('text_to_video', t2v('in the workspace'));
    expect(allowed.status).toBe(200);
    const stats = await admin.stats();
    expect(stats.submissions.byModel).toEqual({ 'gen4.5': 1 });
    expect(stats.credits.charged).toBe((allowed.body.estimatedCost as { credits: number }).credits);
    expect((await admin.config({ models: ['gen9'] })).status).toBe(400);
  });

  it('maxLive.byModel is the true peak of PENDING + THROTTLED + RUNNING tasks, and currentLive drops on DELETE and on finishing', async () => {
    await reset({ concurrencyByModel: { gen4_turbo: 3 }, generationSeconds: { kind: 'fixed', seconds: 60_000 } });
    const created = await Promise.all(Array.from({ length: 7 }, (_, n) => api.create('image_to_video', i2v(`burst ${n}`))));
    const ids = created.map((response) => String(response.body.id));
    await api.create('text_to_video', t2v('another model in flight'));
    const statuses = await Promise.all(ids.map(async (id) => String((await api.task(id)).body.status)));
    expect(statuses.filter((status) => status === 'THROTTLED')).toHaveLength(4);
    expect(statuses.filter((status) => status === 'PENDING' || status === 'RUNNING')).toHaveLength(3);
    let stats = await admin.stats();
    expect(stats.maxLive).toEqual({ overall: 8, byModel: { gen4_turbo: 7, 'gen4.5': 1 } });
    expect(stats.currentLive).toEqual({ overall: 8, byModel: { gen4_turbo: 7, 'gen4.5': 1 } });

    const throttled = ids.filter((_, index) => statuses[index] === 'THROTTLED');
    const holding = ids.filter((_, index) => statuses[index] !== 'THROTTLED');
    for (const id of throttled.slice(0, 2)) expect((await api.remove(id)).status).toBe(204);
    expect((await admin.stats()).currentLive.byModel.gen4_turbo).toBe(5);
    // A slot freed by a RUNNING task goes to a THROTTLED one: one fewer live task, not two.
    expect((await api.remove(holding[0] ?? '')).status).toBe(204);
    stats = await admin.stats();
    expect(stats.currentLive.byModel.gen4_turbo).toBe(4);
    expect(stats.currentThrottled.byModel.gen4_turbo).toBe(1);
    for (const id of [...throttled.slice(2), ...holding.slice(1)]) await api.remove(id);
    stats = await admin.stats();
    expect(stats.currentLive).toEqual({ overall: 1, byModel: { gen4_turbo: 0, 'gen4.5': 1 } });
    expect(stats.maxLive).toEqual({ overall: 8, byModel: { gen4_turbo: 7, 'gen4.5': 1 } });

    await admin.config({ generationSeconds: { kind: 'fixed', seconds: 60 } });
    const short = [await submit('finishes'), await submit('a forbidden-content shot')];
    const ends = await Promise.all(short.map((id) => finished(id)));
    expect(ends.map((task) => task.body.status)).toEqual(['SUCCEEDED', 'FAILED']);
    stats = await admin.stats();
    expect(stats.currentLive.byModel.gen4_turbo).toBe(0);
    expect(stats.maxLive.byModel.gen4_turbo).toBe(7);
  });
});

describe('text_to_speech', () => {
  beforeEach(() => reset());

  const speech = (extra: Record<string, unknown> = {}) => ({
    model: 'eleven_multilingual_v2',
    promptText: 'One two three four five six seven eight nine ten.',
    voice: { type: 'runway-preset', presetId: 'Maya' },
    ...extra,
  });

  it('runs a task through the same lifecycle and serves a real MP3 whose length follows the text, priced per character', async () => {
    const created = await api.create('text_to_speech', speech());
    expect(created.status).toBe(200);
    // 50 characters at 1 credit per 50.
    expect(created.body.estimatedCost).toEqual({ credits: 1 });
    const id = String(created.body.id);
    const url = await succeededUrl(id);
    expect(url).toMatch(new RegExp(`^${sim.url}/media/${id}/output\\.mp3\\?exp=\\d+&sig=[0-9a-f]{64}$`));
    const whole = await download(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/mpeg');
    const task = await admin.task(id);
    expect(sha256(whole.bytes)).toBe(task.outputSha256);
    expect(task).toMatchObject({ endpoint: 'text_to_speech', model: 'eleven_multilingual_v2', duration: 4, credits: 1 });
    expect(task.history.map((change: { status: string }) => change.status)).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    // The same URL path with the video extension is not this task's output.
    expect((await download(url.replace('output.mp3', 'output.mp4'))).status).not.toBe(200);
  });

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['unknown voice preset', speech({ voice: { type: 'runway-preset', presetId: 'Nobody' } }), /^voice\.presetId: .*allowed: Maya/],
    ['voice without a type', speech({ voice: { presetId: 'Maya' } }), /^voice\.type: /],
    ['missing voice', speech({ voice: undefined }), /^voice: is required/],
    ['unknown model', speech({ model: 'gen4.5' }), /^model: .*allowed: eleven_multilingual_v2, eleven_v3/],
    ['empty text', speech({ promptText: '  ' }), /^promptText: must be a non-empty string/],
    ['text over 1000 UTF-16 units', speech({ promptText: 'é'.repeat(1001) }), /^promptText: .*1000/],
    ['a video field', speech({ ratio: '1280:720' }), /^ratio: unknown field for text_to_speech/],
  ];
  it.each(cases)('answers 400 in Runway error shape on %s', async (_what, body, message) => {
    const response = await api.create('text_to_speech', body);
    expect(response.status).toBe(400);
    expect(String(response.body.error)).toMatch(message);
  });
});
