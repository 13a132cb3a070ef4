import { CircuitBreaker, type CircuitStateChange } from '../../activities/runway/circuit-breaker';
import { RunwayClient } from '../../activities/runway/client';
import { classifyFailureCode, type CampaignFileInput } from '../../schemas';
import { FAST_OPTIONS, type RunningProduct, startProduct, startTextVideo } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';
import { failureOf } from '../helpers/failure';

const breakerChanges: CircuitStateChange[] = [];
let product: RunningProduct;

beforeAll(async () => {
  // A breaker that opens on the first outage-like failure: an off-contract answer must never count as one.
  const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000, onStateChange: (change) => breakerChanges.push(change) });
  const runway = new RunwayClient({
    baseUrl: testStack().runwayBaseUrl,
    apiSecret: testStack().runwayApiSecret,
    requestTimeoutMs: 10_000,
    guard: breaker.guard,
  });
  product = await startProduct({ name: 'failure-codes', deps: { runway } });
});
afterAll(async () => {
  await product.stop();
});

test('classifyFailureCode: SAFETY anywhere is moderation; INPUT_PREPROCESSING / ASSET are input; BAD_OUTPUT resubmits; the rest unknown', () => {
  expect(classifyFailureCode('SAFETY.INPUT.TEXT')).toBe('moderation');
  expect(classifyFailureCode('SAFETY.OUTPUT.VIDEO')).toBe('moderation');
  expect(classifyFailureCode('INPUT_PREPROCESSING.SAFETY.TEXT')).toBe('moderation');
  expect(classifyFailureCode('INPUT_PREPROCESSING.IMAGE')).toBe('input');
  expect(classifyFailureCode('ASSET.INVALID')).toBe('input');
  expect(classifyFailureCode('INTERNAL.BAD_OUTPUT.CODE01')).toBe('bad_output');
  expect(classifyFailureCode('INTERNAL.QUEUE_TIMEOUT')).toBe('unknown');
  expect(classifyFailureCode('SOMETHING.NEW')).toBe('unknown');
  expect(classifyFailureCode(undefined)).toBe('unknown');
});

const CASES = [
  { prompt: 'A red kite over dunes', code: 'SAFETY.INPUT.TEXT' },
  { prompt: 'A blue kite over dunes', code: 'INPUT_PREPROCESSING.SAFETY.TEXT' },
  { prompt: 'A green kite over dunes', code: 'INPUT_PREPROCESSING.IMAGE' },
  { prompt: 'A white kite over dunes', code: 'ASSET.INVALID' },
  { prompt: 'A black kite over dunes', code: 'INTERNAL.BAD_OUTPUT.CODE01', times: 1 },
  { prompt: 'A grey kite over dunes', code: 'INTERNAL.MYSTERY_ERROR' },
  { prompt: 'A pink kite over dunes' },
] as const;

test('each failure code class: POSTs per prompt and the typed failure (maxSubmissions 3)', async () => {
  await resetSimulator({
    faults: {
      rules: CASES.map((entry) => ({
        match: { promptIncludes: entry.prompt },
        fault: 'fail',
        ...('code' in entry ? { failureCode: entry.code } : {}),
        ...('times' in entry ? { times: entry.times } : {}),
      })),
    },
  });
  const handles = await Promise.all(
    CASES.map((entry, index) =>
      product.api.generations.startVideo({
        videoId: `code-${index}`,
        model: 'gen4.5',
        promptText: entry.prompt,
        ratio: '1280:720',
        duration: 5,
        options: { ...FAST_OPTIONS, maxSubmissions: 3 },
      }),
    ),
  );
  const [safety, preprocessingSafety, preprocessingImage, asset, badOutput, unknown, noCode] = handles.map((handle) => handle.result());
  const failures = {
    safety: await failureOf(safety!),
    preprocessingSafety: await failureOf(preprocessingSafety!),
    preprocessingImage: await failureOf(preprocessingImage!),
    asset: await failureOf(asset!),
    unknown: await failureOf(unknown!),
    noCode: await failureOf(noCode!),
  };
  const archived = await badOutput!;
  const posts = (await simulatorStats()).createsByPrompt;

  expect(failures.safety).toMatchObject({ type: 'ContentModeration', message: expect.stringContaining('SAFETY.INPUT.TEXT') });
  expect(posts['A red kite over dunes']).toBe(1);
  expect(failures.preprocessingSafety).toMatchObject({
    type: 'ContentModeration',
    message: expect.stringContaining('INPUT_PREPROCESSING.SAFETY.TEXT'),
  });
  expect(posts['A blue kite over dunes']).toBe(1);
  expect(failures.preprocessingImage).toMatchObject({
    type: 'RunwayInputRejected',
    message: expect.stringContaining('INPUT_PREPROCESSING.IMAGE'),
  });
  expect(posts['A green kite over dunes']).toBe(1);
  expect(failures.asset).toMatchObject({ type: 'RunwayInputRejected', message: expect.stringContaining('ASSET.INVALID') });
  expect(posts['A white kite over dunes']).toBe(1);
  expect(archived.submissions).toBe(2);
  expect(archived.submissionHistory[0]).toMatchObject({ outcome: 'failed', failureCode: 'INTERNAL.BAD_OUTPUT.CODE01' });
  expect(archived.s3.key).toContain(archived.runwayTaskId);
  expect(posts['A black kite over dunes']).toBe(2);
  expect(failures.unknown).toMatchObject({ type: 'GenerationFailed', message: expect.stringContaining('INTERNAL.MYSTERY_ERROR') });
  expect(posts['A grey kite over dunes']).toBe(2);
  expect(failures.noCode).toMatchObject({ type: 'GenerationFailed', message: expect.stringContaining('no failureCode') });
  expect(posts['A pink kite over dunes']).toBe(2);
}, 120_000);

function textCampaign(campaignId: string, prompts: string[]): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: prompts.map((promptText, index) => ({ id: `v${index + 1}`, promptText })),
    options: FAST_OPTIONS,
  };
}

test('a GET answering 200 off the contract fails that variant only, with RunwayProtocolError naming the field; the breaker stays closed', async () => {
  await resetSimulator({
    faults: { rules: [{ match: { promptIncludes: 'odd archive' }, fault: 'off_contract', body: { status: 'ARCHIVED' } }] },
  });
  const started = await product.api.campaigns.start(
    textCampaign('off-contract', ['A calm bay', 'An odd archive of tapes', 'A windy ridge']),
  );
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  expect(result).toMatchObject({ total: 3, archived: 2, failed: 1 });
  const odd = result.variants.find((variant) => variant.variantId === 'v2');
  expect(odd?.state).toBe('failed');
  expect(odd?.error?.type).toBe('RunwayProtocolError');
  expect(odd?.error?.message).toContain('"status"');
  expect(odd?.error?.message).toContain('ARCHIVED');
  const stats = await simulatorStats();
  expect(stats.createsByPrompt['An odd archive of tapes']).toBe(1);
  expect(stats.submissions.total).toBe(3);
  // We can no longer read the task: it was DELETEd so it stops costing.
  expect(stats.tasks.find((task) => task.promptText === 'An odd archive of tapes')?.deleted).toBe(true);
  expect(breakerChanges).toEqual([]);
}, 90_000);

test('a SUCCEEDED answer without output is a RunwayProtocolError naming "output", after one POST', async () => {
  await resetSimulator({
    faults: { rules: [{ match: { promptIncludes: 'empty reel' }, fault: 'off_contract', body: { status: 'SUCCEEDED', output: null } }] },
  });
  const handle = await startTextVideo(product.api, 'empty-reel', 'An empty reel spinning');
  const failure = await failureOf(handle.result());
  expect(failure.type).toBe('RunwayProtocolError');
  expect(failure.message).toContain('"output"');
  expect((await simulatorStats()).createsByPrompt['An empty reel spinning']).toBe(1);
  expect(breakerChanges).toEqual([]);
}, 60_000);
