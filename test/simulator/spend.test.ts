import { callJson, isFinished, simulatorForSuite, SUITE_TIME_SCALE, suiteConfig, TINY_PNG_DATA_URI, waitUntil } from './helpers';

/** Money as Runway's API shows it: estimatedCost on every create, cost on every finished task, the 30-day spend cap, usage per day. */

const BASE_CONFIG = suiteConfig(11);
/** gen4_turbo bills 5 credits a second: a 5 s clip is 25. */
const CLIP_CREDITS = 25;

const suite = simulatorForSuite(BASE_CONFIG);

const reset = (overrides: Record<string, unknown> = {}) => suite.admin.reset({ ...BASE_CONFIG, ...overrides });
const clip = (promptText: string) => ({ model: 'gen4_turbo', promptImage: TINY_PNG_DATA_URI, promptText, ratio: '1280:720', duration: 5 });
const create = (promptText: string) => suite.api.create('image_to_video', clip(promptText));
const spend = async () => (await callJson<SpendView>(`${suite.sim.url}/__sim/spend`, { headers: {} })).body;
const usage = (body: unknown) => callJson<UsageView>(`${suite.sim.url}/v1/organization/usage`, { body });

interface SpendView {
  today: string;
  windowSeconds: number;
  maxMonthlyCreditSpend: number;
  spent: number;
  remaining: number;
  byModel: Record<string, number>;
}
interface UsageView {
  models: string[];
  results: Array<{ date: string; usedCredits: Array<{ amount: number; model: string }> }>;
  error?: string;
}

async function created(promptText: string): Promise<string> {
  const answer = await create(promptText);
  expect(answer.status).toBe(200);
  return String(answer.body.id);
}

/** Let `simSeconds` of simulated time pass quickly, then return to the test's time scale. */
async function fastForward(simSeconds: number): Promise<void> {
  const start = (await suite.admin.stats()).simulatedSeconds;
  await suite.admin.config({ timeScale: 2_000_000 });
  await waitUntil(suite.admin.stats, (stats) => stats.simulatedSeconds > start + simSeconds, 10_000);
  await suite.admin.config({ timeScale: SUITE_TIME_SCALE });
}

describe('estimatedCost and cost', () => {
  beforeEach(() => reset({ concurrency: 1, generationSeconds: { kind: 'fixed', seconds: 6_000 } }));

  it('answers every create with estimatedCost; a task run is charged it, one cancelled before it ran costs 0', async () => {
    const runs = await create('runs');
    const waits = await create('waits');
    expect(runs.body).toEqual({ id: expect.any(String), estimatedCost: { credits: CLIP_CREDITS } });
    expect(waits.body).toEqual({ id: expect.any(String), estimatedCost: { credits: CLIP_CREDITS } });
    const queued = await suite.api.task(String(waits.body.id));
    expect(queued.body).toMatchObject({ status: 'THROTTLED', estimatedCost: { credits: CLIP_CREDITS } });
    expect(queued.body.cost).toBeUndefined();

    await waitUntil(
      () => suite.api.task(String(runs.body.id)),
      (task) => task.body.status === 'RUNNING',
    );
    await suite.api.remove(String(waits.body.id));
    await suite.api.remove(String(runs.body.id));
    expect((await suite.admin.task(String(waits.body.id))).refunded).toBe(true);
    expect((await suite.admin.task(String(runs.body.id))).refunded).toBe(false);
    expect((await suite.admin.stats()).credits).toEqual({ charged: 2 * CLIP_CREDITS, refunded: CLIP_CREDITS, net: CLIP_CREDITS });
  });

  it('a finished task carries cost.credits, what was charged', async () => {
    await reset();
    const id = await created('finishes');
    const done = await waitUntil(() => suite.api.task(id), isFinished);
    expect(done.body).toMatchObject({ status: 'SUCCEEDED', cost: { credits: CLIP_CREDITS } });
    expect(done.body.estimatedCost).toBeUndefined();
  });
});

describe('maxMonthlyCreditSpend over a rolling 30 days', () => {
  it('refuses a create whose estimate would take the 30-day spend past the cap (400, nothing charged); a refund makes room', async () => {
    await reset({ maxMonthlyCreditSpend: 60, concurrency: 1, generationSeconds: { kind: 'fixed', seconds: 6_000 } });
    expect((await suite.api.organization()).body.tier).toMatchObject({ maxMonthlyCreditSpend: 60 });
    await created('first');
    const queued = await created('second');
    const refused = await create('third');
    expect(refused.status).toBe(400);
    expect(String(refused.body.error)).toMatch(/maximum monthly credit spend of 60 in the past 30 days/);
    expect(String(refused.body.error)).toMatch(/needs 25 credits .* spent 50/);
    const stats = await suite.admin.stats();
    expect(stats.submissions.total).toBe(2);
    expect(stats.credits.charged).toBe(50);
    expect(stats.monthlySpendRefusals).toEqual({ overall: 1, byModel: { gen4_turbo: 1 } });
    expect(await spend()).toEqual({
      today: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      windowSeconds: 30 * 86_400,
      maxMonthlyCreditSpend: 60,
      spent: 50,
      remaining: 10,
      byModel: { gen4_turbo: 50 },
    });

    // The THROTTLED task is cancelled before it ran: Runway refunds it, and the refund counts back.
    await suite.api.remove(queued);
    expect((await spend()).spent).toBe(25);
    await created('third, after the refund');
    expect((await create('fourth')).status).toBe(400);
  });

  it('a raised cap (POST /__sim/config) lets the next create through', async () => {
    await reset({ maxMonthlyCreditSpend: 30 });
    await created('one');
    expect((await create('two')).status).toBe(400);
    expect((await suite.admin.config({ maxMonthlyCreditSpend: 50 })).status).toBe(200);
    await created('two');
    expect(await spend()).toMatchObject({ spent: 50, remaining: 0 });
  });

  it("counts other clients' spend (priorMonthlySpend) and ages all spend out after 30 simulated days", async () => {
    await reset({ maxMonthlyCreditSpend: 100, priorMonthlySpend: { 'gen4.5': 60 } });
    await created('fits beside the others');
    expect((await create('over the cap')).status).toBe(400);
    expect(await spend()).toMatchObject({ spent: 85, remaining: 15, byModel: { gen4_turbo: 25, 'gen4.5': 60 } });

    await fastForward(28 * 86_400);
    expect((await spend()).spent).toBe(85);
    expect((await create('still over on day 28')).status).toBe(400);
    await fastForward(2 * 86_400 + 600);
    expect(await spend()).toMatchObject({ spent: 0, remaining: 100 });
    await created('a new window');
    await created('and another');
  });
});

describe('POST /v1/organization/usage', () => {
  it('answers net credits per model per day of the simulated calendar, refunds counted back', async () => {
    await reset({ concurrency: 1, generationSeconds: { kind: 'fixed', seconds: 6_000 } });
    await created('runs');
    const refunded = await created('cancelled before it ran');
    await suite.api.remove(refunded);
    await suite.api.create('text_to_video', { model: 'gen4.5', promptText: 'another model', ratio: '1280:720', duration: 5 });
    const { today: date } = await spend();
    const tomorrow = new Date(Date.parse(date) + 86_400_000).toISOString().slice(0, 10);
    // The SDK's default range is the 30 days before today, today left out.
    expect((await usage({})).body).toEqual({ models: [], results: [] });
    const today = (await usage({ startDate: date, beforeDate: tomorrow })).body;
    expect(today.models).toEqual(['gen4.5', 'gen4_turbo']);
    expect(today.results).toHaveLength(1);
    const [day] = today.results;
    expect(day?.date).toBe(date);
    expect(Object.fromEntries(day!.usedCredits.map((used) => [used.model, used.amount]))).toEqual({ gen4_turbo: 25, 'gen4.5': 60 });

    const later = await usage({ startDate: '2099-01-01', beforeDate: '2099-02-01' });
    expect(later.status).toBe(200);
    expect(later.body).toEqual({ models: [], results: [] });
  });

  it('refuses bad dates, ranges over 90 days and unknown fields with 400; GET is 405; it needs the API key', async () => {
    await reset();
    const bad = await usage({ startDate: '01/02/2026' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/startDate: must be an ISO-8601 date/);
    expect((await usage({ startDate: '2026-01-01', beforeDate: '2026-06-01' })).body.error).toMatch(/90 days/);
    expect((await usage({ startDate: '2026-01-02', beforeDate: '2026-01-01' })).status).toBe(400);
    expect((await usage({ from: '2026-01-01' })).body.error).toMatch(/from: unknown field/);
    expect((await callJson(`${suite.sim.url}/v1/organization/usage`)).status).toBe(405);
    const anonymous = await callJson(`${suite.sim.url}/v1/organization/usage`, { body: {}, headers: { 'X-Runway-Version': '2024-11-06' } });
    expect(anonymous.status).toBe(401);
  });
});
