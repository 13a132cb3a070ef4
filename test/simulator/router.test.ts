import { callJson, simulatorForSuite, suiteConfig, TINY_PNG_DATA_URI, waitUntil } from './helpers';

/** Runway's Model Router in the simulator: saved configs, routed creates, and fallback.onCapacity's routing.capacityFallback. */

const BASE_CONFIG = suiteConfig(5, 60_000);

const suite = simulatorForSuite(BASE_CONFIG);

const reset = (overrides: Record<string, unknown> = {}) => suite.admin.reset({ ...BASE_CONFIG, ...overrides });
const createRouter = (body: unknown) => callJson(`${suite.sim.url}/v1/routers`, { body });
const generate = (configId: string, input: Record<string, unknown>) =>
  callJson(`${suite.sim.url}/v1/generate/video`, { body: { configId, input } });

interface Routing {
  configId: string;
  model: string;
  provider: string;
  estimatedCost: { credits: number };
  resolvedInput: { duration: number; ratio: string; resolution: string };
  resolvedSettings: { optimizeFor: string; priceCeiling: number | null };
  capacityFallback?: { allExhausted: boolean; skipped: string[] };
}

async function routed(configId: string, input: Record<string, unknown>): Promise<{ id: string; routing: Routing }> {
  const answer = await generate(configId, input);
  expect(answer.status).toBe(200);
  return answer.body as unknown as { id: string; routing: Routing };
}

/** gen4.5 (12 credits/s) and veo3.1_fast (15/s with audio): both serve text_to_video for 6 s at 16:9. */
const TWO_MODELS = { ids: ['gen4.5', 'veo3.1_fast'], mode: 'allowlist_only' };
const SHOT = { promptText: 'a lighthouse at dawn', duration: 6, aspectRatio: '16:9' };

describe('configs', () => {
  beforeAll(() => reset());

  it('saves a config (settings normalized, version 1), reads it by id, refuses a taken slug and bad settings, deletes it', async () => {
    const created = await createRouter({ slug: 'production-video', settings: { models: TWO_MODELS, fallback: { onCapacity: true } } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      slug: 'production-video',
      name: 'production-video',
      description: null,
      version: 1,
      settings: { schemaVersion: 1, models: TWO_MODELS, fallback: { onCapacity: true } },
    });
    const id = String(created.body.id);
    expect((await callJson(`${suite.sim.url}/v1/routers/${id}`)).body).toEqual(created.body);
    expect((await createRouter({ slug: 'production-video' })).body.error).toMatch(/already exists/);
    expect((await createRouter({ slug: 'x', settings: { optimizeFor: 'speed' } })).body.error).toMatch(/optimizeFor/);
    expect((await createRouter({ slug: 'y', settings: { models: { ids: ['gen3a_turbo'], mode: 'allowlist_only' } } })).body.error).toMatch(
      /unknown model "gen3a_turbo"/,
    );
    expect((await callJson(`${suite.sim.url}/v1/routers/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await callJson(`${suite.sim.url}/v1/routers/${id}`)).status).toBe(404);
    expect((await generate('production-video', SHOT)).status).toBe(404);
  });
});

describe('routed creates', () => {
  it('picks the cheapest eligible model, answers routing instead of estimatedCost, and starts an ordinary task', async () => {
    await reset();
    await createRouter({ slug: 'cheap', settings: { models: TWO_MODELS } });
    const { id, routing } = await routed('cheap', SHOT);
    expect(routing).toEqual({
      configId: 'cheap',
      model: 'gen4.5',
      provider: 'runway',
      estimatedCost: { credits: 72 },
      resolvedInput: { duration: 6, ratio: '1280:720', resolution: '720p' },
      resolvedSettings: { optimizeFor: 'cost', priceCeiling: null },
    });
    expect((await suite.api.task(id)).body).toMatchObject({
      status: expect.stringMatching(/PENDING|RUNNING/),
      estimatedCost: { credits: 72 },
    });
    expect(await suite.admin.task(id)).toMatchObject({ model: 'gen4.5', endpoint: 'text_to_video', duration: 6, ratio: '1280:720' });
    expect((await suite.admin.stats()).credits.charged).toBe(72);
  });

  it('excludes what the input rules out (duration, price ceiling) and answers 400 no_eligible_model when nothing is left', async () => {
    await reset();
    await createRouter({
      slug: 'capped',
      settings: { models: TWO_MODELS, maxCreditsPerGeneration: { video: 70 }, optimizeFor: 'quality' },
    });
    // 5 s: veo3.1_fast takes 4, 6 or 8; gen4.5 fits, 60 credits under the ceiling.
    expect((await routed('capped', { ...SHOT, duration: 5 })).routing).toMatchObject({
      model: 'gen4.5',
      resolvedSettings: { priceCeiling: 70 },
    });
    const none = await generate('capped', SHOT);
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/^no_eligible_model: .*gen4\.5: over 70 credits/);
    expect((await generate('capped', { ...SHOT, referenceVideos: [{ role: 'source', uri: 'https://x.example/a.mp4' }] })).status).toBe(400);
  });

  it('a first reference image routes to image_to_video', async () => {
    await reset();
    await createRouter({ slug: 'images', settings: { models: { ids: ['gen4_turbo'], mode: 'allowlist_only' } } });
    const { id, routing } = await routed('images', { promptText: 'waves', referenceImages: [{ role: 'first', uri: TINY_PNG_DATA_URI }] });
    expect(routing).toMatchObject({ model: 'gen4_turbo', estimatedCost: { credits: 25 } });
    expect(await suite.admin.task(id)).toMatchObject({ endpoint: 'image_to_video' });
  });
});

describe('fallback.onCapacity', () => {
  it('skips a model at its concurrency limit for the next-best one, says so in routing.capacityFallback; all full: the best queues', async () => {
    await reset({ concurrencyByModel: { 'gen4.5': 1, 'veo3.1_fast': 1 } });
    await createRouter({ slug: 'fallback', settings: { models: TWO_MODELS, fallback: { onCapacity: true } } });
    const first = await routed('fallback', SHOT);
    expect(first.routing.model).toBe('gen4.5');
    expect(first.routing.capacityFallback).toBeUndefined();

    const second = await routed('fallback', SHOT);
    expect(second.routing).toMatchObject({
      model: 'veo3.1_fast',
      estimatedCost: { credits: 90 },
      capacityFallback: { allExhausted: false, skipped: ['gen4.5'] },
    });
    expect((await suite.api.task(second.id)).body.status).not.toBe('THROTTLED');

    const third = await routed('fallback', SHOT);
    expect(third.routing).toMatchObject({ model: 'gen4.5', capacityFallback: { allExhausted: true, skipped: [] } });
    await waitUntil(
      () => suite.api.task(third.id),
      (task) => task.body.status === 'THROTTLED',
    );
  });

  it('off (the default): a model at capacity is still chosen and the task waits THROTTLED, with no capacityFallback', async () => {
    await reset({ concurrencyByModel: { 'gen4.5': 1 } });
    await createRouter({ slug: 'plain', settings: { models: TWO_MODELS } });
    await routed('plain', SHOT);
    const queued = await routed('plain', SHOT);
    expect(queued.routing.model).toBe('gen4.5');
    expect(queued.routing.capacityFallback).toBeUndefined();
    expect((await suite.api.task(queued.id)).body.status).toBe('THROTTLED');
  });
});
