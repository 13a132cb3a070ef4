import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../../client';
import type { BrollProgress, BrollProjectFileInput } from '../../schemas';
import { brollInput, refusal } from '../helpers/broll-input';
import { pollUntil } from '../helpers/poll';
import { replayHistory, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { productEnv, runCli } from '../helpers/worker-process';

/**
 * Takes in the review room, on the real stack: every take its own generation and seed, counted in credits
 * and the budget; the review Update's validator refusing a take that is not of that segment's round or not
 * finished, naming it; and bad B-roll input (photographs, takes) refused before any spend.
 */
let product: RunningProduct;
let workDir: string;
const photos = path.resolve(__dirname, '../../examples/broll/photos');

beforeAll(async () => {
  product = await startProduct({ name: 'broll-takes', cap: 10 });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-broll-takes-'));
});
afterAll(async () => {
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

function settled(projectId: string): Promise<BrollProgress> {
  return pollUntil(
    `${projectId}: every take ended`,
    () => product.api.broll.progress(projectId),
    (progress) => progress.counts.generating === 0,
    60_000,
  );
}

test('two takes a segment: distinct seeds, every take billed and counted; select refuses a take not of the round or not finished, naming it; the history replays', async () => {
  await resetSimulator();
  const projectId = 'takes-ep1';
  await product.api.broll.startPlanned(
    brollInput(projectId, ['A lighthouse at dawn, 16 mm', 'A forbidden-content scene'], { takesPerSegment: 2 }),
  );
  const ready = await settled(projectId);
  expect(ready.takesPerItem).toBe(2);
  const [s01, s02] = ready.items;
  expect(s01!.takes.map((take) => [take.take, take.state, take.generationId])).toEqual([
    [1, 'ready', 'takes-ep1--s01'],
    [2, 'ready', 'takes-ep1--s01--t2'],
  ]);
  expect(new Set(ready.items.flatMap((item) => item.takes.map((take) => take.seed))).size).toBe(4);
  // s02's prompt is moderated: both its takes failed, billed as Runway bills a moderated task.
  expect(s02!.state).toBe('failed');
  expect(s02!.takes.every((take) => take.state === 'failed' && /ContentModeration/.test(take.error ?? ''))).toBe(true);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(4);
  expect(ready.creditsSpent).toBe(stats.credits.net);
  expect(ready.creditsSpent).toBeGreaterThanOrEqual(2 * 60);

  expect(await refusal(product.api.broll.approve(projectId, ['s01']))).toBe(
    'segment s01 has 2 finished takes (1, 2): select one by its take number',
  );
  expect(await refusal(product.api.broll.select(projectId, 's01', 3))).toBe('segment s01 has no take 3: its round 1 has takes 1, 2');
  expect(await refusal(product.api.broll.select(projectId, 's02', 1))).toMatch(
    /^take 1 of segment s02 is not finished: it failed \(ContentModeration: .*\); select another take or reject the round$/,
  );
  expect(await refusal(product.api.broll.select(projectId, 's09', 1))).toBe('unknown segment "s09": project takes-ep1 has s01, s02');

  // Through the CLI: a take number is checked before connecting; a refusal is one line, exit 2.
  const env = productEnv(product.taskQueue);
  const badTake = await runCli(['broll', 'select', projectId, 's01', '--take', '0'], { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(badTake).toMatchObject({ code: 2, stdout: '' });
  expect(badTake.stderr).toMatch(/--take: 0 is not a take number/);
  const selected = await runCli(['broll', 'select', projectId, 's01', '--take', '2', '--json'], env);
  expect(selected.code).toBe(0);
  expect((JSON.parse(selected.stdout) as BrollProgress).items[0]).toMatchObject({ state: 'approved', selectedTake: 2 });

  // s02 gets a new round: takes 3 and 4, each two more generations; then a take of the rejected round is refused.
  await product.api.broll.reject(projectId, 's02', 'A quiet library, dust in the light');
  const second = await settled(projectId);
  expect(second.items[1]!.takes.map((take) => [take.take, take.state])).toEqual([
    [3, 'ready'],
    [4, 'ready'],
  ]);
  expect(await refusal(product.api.broll.select(projectId, 's02', 2))).toBe(
    "take 2 of segment s02 was rejected with round 1; select one of round 2's takes (3, 4)",
  );
  await product.api.broll.select(projectId, 's02', 3);
  const result = await product.api.broll.finalize(projectId);
  expect(result.entries.map((entry) => [entry.segmentId, entry.take, entry.clipName])).toEqual([
    ['s01', 2, 'takes-ep1-s01-t2.mp4'],
    ['s02', 3, 'takes-ep1-s02-t3.mp4'],
  ]);
  const final = await simulatorStats();
  expect(final.submissions.total).toBe(6);
  expect(result.credits).toBe(final.credits.net);

  // The workflow's code replays its own history: takes, decisions, contact sheets, finalize.
  await replayHistory(product.client, projectId);
}, 180_000);

test('the budget holds every take: a take it cannot hold fails BudgetExceeded before it starts, and nothing past it is billed', async () => {
  await resetSimulator();
  const projectId = 'takes-budget';
  // 60 credits a take: 150 credits hold two takes and a half; the third and fourth never start.
  await product.api.broll.startPlanned(
    brollInput(projectId, ['A tram in the rain', 'A printing press'], { takesPerSegment: 2, budgetCredits: 150 }),
  );
  const ready = await settled(projectId);
  const states = ready.items.flatMap((item) => item.takes.map((take) => take.state));
  expect(states.filter((state) => state === 'ready')).toHaveLength(2);
  const refused = ready.items.flatMap((item) => item.takes).filter((take) => take.state === 'failed');
  expect(refused).toHaveLength(2);
  for (const take of refused)
    expect(take.error).toMatch(/^BudgetExceeded: take \d of s0\d needs 60 credits; the project budget of 150 credits has 30 left$/);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(2);
  expect(ready.creditsSpent).toBe(120);
  await product.api.broll.cancel(projectId);
}, 120_000);

test('bad B-roll input is refused before anything starts, naming the file, segment or take: 0 POSTs, no workflow', async () => {
  await resetSimulator();
  const write = (name: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(workDir, name)), { recursive: true });
    fs.writeFileSync(path.join(workDir, name), content);
  };
  write('two.srt', '1\n00:00:00,000 --> 00:00:04,000\nThe harbour at dawn.\n\n2\n00:00:04,500 --> 00:00:08,000\nBoats come home.\n');
  write('not-image/s01.jpg', 'this is a text file, not a photograph\n');
  write('unknown-segment/s09-lighthouse.jpg', fs.readFileSync(path.join(photos, 's02-fleet.jpg')));
  write('tall.png', Buffer.from('89504e470d0a1a0a0000000d49484452000000640000012d0806000000', 'hex'));
  write('reversed.srt', '1\n00:00:05,000 --> 00:00:02,000\nBackwards.\n');
  write('overlap.srt', '1\n00:00:00,000 --> 00:00:04,000\nOne.\n\n2\n00:00:03,000 --> 00:00:06,000\nTwo.\n');
  write('empty.srt', '1\n00:00:00,000 --> 00:00:04,000\n \n');
  write('malformed.srt', '1\n00:00:00 --> 00:00:04,000\nNo milliseconds.\n');
  const brief = { style: 'archival film', model: 'gen4.5', ratio: '1280:720' };
  const project = (patch: Partial<BrollProjectFileInput>): BrollProjectFileInput => ({
    projectId: `bad-${Date.now()}`,
    transcript: 'two.srt',
    brief,
    ...patch,
  });
  const cases: Array<[BrollProjectFileInput, RegExp]> = [
    [
      project({ segments: { s01: { photo: 'missing/lock-1911.jpg' } } }),
      /segments\.s01\.photo: photograph not found: missing\/lock-1911\.jpg/,
    ],
    [project({ photos: 'not-image' }), /photos: not-image\/s01\.jpg is not a PNG, JPEG or WebP image/],
    [
      project({ photos: 'unknown-segment' }),
      /photos: s09-lighthouse\.jpg is a photograph for segment s09, which the transcript does not have \(it has s01…s02\)/,
    ],
    [project({ segments: { s07: { photo: 'tall.png' } } }), /segments\.s07\.photo: no segment s07: the transcript has 2 segments, s01…s02/],
    [
      project({ segments: { s02: { photo: 'tall.png' } } }),
      /segments\.s02\.photo: tall\.png is 100×301; Runway takes images whose width \/ height is between 0\.5 and 2/,
    ],
    [project({ photos: 'no-such-folder' }), /photos: photographs folder not found: no-such-folder/],
    [project({ takesPerSegment: 5 }), /takesPerSegment: takesPerSegment must be 1–4/],
    [project({ takesPerSegment: 0 }), /takesPerSegment: takesPerSegment must be 1–4/],
    [project({ transcript: 'malformed.srt' }), /malformed\.srt line 2/],
    [project({ transcript: 'reversed.srt' }), /reversed\.srt line 2/],
    [project({ transcript: 'overlap.srt' }), /overlap\.srt line 5.*overlapping/s],
    [project({ transcript: 'empty.srt' }), /empty\.srt line 1.*empty segment/s],
    [project({ brief: { ...brief, promptTemplate: 'footage, {style}' } }), /brief\.promptTemplate/],
    [project({ transcript: 'missing.srt' }), /missing\.srt/],
  ];
  for (const [input, message] of cases) {
    const error = await product.api.broll.start(input, workDir).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toMatch(message);
  }
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(0);
  expect(stats.credits.net).toBe(0);
  const started: string[] = [];
  for await (const execution of product.client.workflow.list({ query: `WorkflowType="BrollWorkflow" AND WorkflowId STARTS_WITH "bad-"` }))
    started.push(execution.workflowId);
  expect(started).toEqual([]);
}, 60_000);
