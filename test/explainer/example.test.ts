import path from 'node:path';
import { InputError } from '../../client';
import type { ExplainerFileInput, ExplainerResult } from '../../schemas';
import { startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256 } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { productEnv, runCli } from '../helpers/worker-process';

const example = path.resolve(__dirname, '../../examples/explainer/why-the-sky-is-blue.yaml');
let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'explainer-example' });
});
afterAll(async () => {
  await product.stop();
});

test('the example: explainer start --file … --wait ends with the narrated MP4 and its subtitles in S3', async () => {
  await resetSimulator();
  const run = await runCli(['explainer', 'start', '--file', example, '--wait', '--json'], productEnv(product.taskQueue));
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as ExplainerResult;
  expect(result.explainerId).toBe('why-the-sky-is-blue');
  expect(result.chunks).toHaveLength(7);
  expect(result.video.key).toBe('explainers/why-the-sky-is-blue/explainer.mp4');
  // The seven clips the plan asks for: 4 + 6 + 4 + 5 + 5 + 4 + 5 s.
  expect(Math.abs(result.video.durationSeconds - 33)).toBeLessThanOrEqual(0.1);
  expect((await objectSha256(result.video.key)).sha256).toBe(result.video.sha256);
  expect((await objectSha256(result.subtitles.key)).bytes).toBeGreaterThan(0);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(14);
  expect(result.credits).toBe(stats.credits.net);
}, 240_000);

test('bad explainer input is refused before anything starts: 0 POSTs, no workflow', async () => {
  await resetSimulator();
  const brief = { model: 'gen4.5', ratio: '1280:720', style: 'clean flat illustration', voice: 'Maya' };
  const explainer = (patch: Partial<ExplainerFileInput>): ExplainerFileInput => ({
    explainerId: `bad-${Date.now()}`,
    script: 'Light scatters.',
    brief,
    ...patch,
  });
  const tooLong = `A sentence ${'that keeps going without any pause or comma '.repeat(8)}ends here.`;
  const cases: Array<[ExplainerFileInput, RegExp]> = [
    [explainer({ script: '' }), /script/],
    [explainer({ script: tooLong }), /too long|longest clip/],
    [explainer({ brief: { ...brief, voice: 'Morgan Freeman' } }), /brief\.voice.*Morgan Freeman/s],
  ];
  for (const [input, message] of cases) {
    const attempt = product.api.explainers.start(input);
    await expect(attempt).rejects.toThrow(InputError);
    await expect(product.api.explainers.start(input)).rejects.toThrow(message);
  }
  expect((await simulatorStats()).submissions.total).toBe(0);
  const started: string[] = [];
  for await (const execution of product.client.workflow.list({
    query: `WorkflowType="ExplainerWorkflow" AND WorkflowId STARTS_WITH "bad-"`,
  }))
    started.push(execution.workflowId);
  expect(started).toEqual([]);
}, 60_000);
