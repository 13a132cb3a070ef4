import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../../client';
import type { BrollProgress, BrollProjectFileInput, BrollResult } from '../../schemas';
import { pollUntil } from '../helpers/poll';
import { startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256 } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { productEnv, runCli } from '../helpers/worker-process';

const example = path.resolve(__dirname, '../../examples/broll/harbour-town.yaml');
let product: RunningProduct;
let env: NodeJS.ProcessEnv;
let workDir: string;

beforeAll(async () => {
  product = await startProduct({ name: 'broll-example' });
  env = productEnv(product.taskQueue);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-broll-example-'));
});
afterAll(async () => {
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<string> {
  const run = await runCli(args, env);
  if (run.code !== 0) throw new Error(`runway-temporal ${args.join(' ')} exited ${String(run.code)}: ${run.stderr}`);
  return run.stdout;
}

test('the example: broll start → every clip awaits review → approve --all → finalize, with the EDL in S3; findable in the Web UI', async () => {
  await resetSimulator();
  const started = JSON.parse(await cli(['broll', 'start', '--file', example, '--json'])) as { projectId: string };
  expect(started.projectId).toBe('saltmarsh-harbour');

  const awaiting = await pollUntil(
    'every clip awaiting review',
    async () => JSON.parse(await cli(['broll', 'status', started.projectId, '--json'])) as BrollProgress,
    (progress) => progress.state === 'awaiting-review' && progress.pendingDecisions.length === 8,
    90_000,
    1_000,
  );
  expect(awaiting.segments.map((segment) => segment.clip?.durationSeconds)).toEqual([5, 7, 4, 8, 6, 7, 5, 9]);

  // What the Web UI filters on: the project by its state, its segments by WorkloadId.
  const listed = async (query: string) => {
    const ids: string[] = [];
    for await (const execution of product.client.workflow.list({ query })) ids.push(execution.workflowId);
    return ids.sort();
  };
  await pollUntil(
    'the project under ProjectState="awaiting-review"',
    () => listed('ProjectState="awaiting-review"'),
    (ids) => ids.includes(started.projectId),
  );
  const segmentRuns = await pollUntil(
    'its segments under WorkloadId',
    () => listed(`WorkloadId="${started.projectId}" AND WorkflowType="GenerationWorkflow"`),
    (ids) => ids.length === 8,
  );
  expect(segmentRuns[0]).toBe('saltmarsh-harbour--s01');

  await cli(['broll', 'approve', started.projectId, '--all', '--json']);
  const result = JSON.parse(await cli(['broll', 'finalize', started.projectId, '--json'])) as BrollResult;
  expect(result).toMatchObject({ projectId: 'saltmarsh-harbour', state: 'finalized', missing: [] });
  expect(result.entries).toHaveLength(8);
  expect(result.editList.edlKey).toBe('broll/saltmarsh-harbour/edit-list.edl');
  const edl = await objectSha256(result.editList.edlKey);
  expect(edl.bytes).toBeGreaterThan(0);
  for (const entry of result.entries) expect((await objectSha256(entry.clipKey!)).sha256).toBe(entry.sha256);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(8);
  expect(result.credits).toBe(stats.credits.net);
}, 180_000);

test('bad B-roll input is refused before anything starts: 0 POSTs, no workflow', async () => {
  await resetSimulator();
  const write = (name: string, text: string) => fs.writeFileSync(path.join(workDir, name), text);
  write('reversed.srt', '1\n00:00:05,000 --> 00:00:02,000\nBackwards.\n');
  write('overlap.srt', '1\n00:00:00,000 --> 00:00:04,000\nOne.\n\n2\n00:00:03,000 --> 00:00:06,000\nTwo.\n');
  write('empty.srt', '1\n00:00:00,000 --> 00:00:04,000\n \n');
  write('malformed.srt', '1\n00:00:00 --> 00:00:04,000\nNo milliseconds.\n');
  write('good.srt', '1\n00:00:00,000 --> 00:00:04,000\nThe harbour at dawn.\n');
  const brief = { style: 'archival film', model: 'gen4.5', ratio: '1280:720' };
  const project = (patch: Partial<BrollProjectFileInput>): BrollProjectFileInput => ({
    projectId: `bad-${Date.now()}`,
    transcript: 'good.srt',
    brief,
    ...patch,
  });
  const cases: Array<[BrollProjectFileInput, RegExp]> = [
    [project({ transcript: 'malformed.srt' }), /malformed\.srt line 2/],
    [project({ transcript: 'reversed.srt' }), /reversed\.srt line 2/],
    [project({ transcript: 'overlap.srt' }), /overlap\.srt line 5.*overlapping/s],
    [project({ transcript: 'empty.srt' }), /empty\.srt line 1.*empty segment/s],
    [project({ brief: { ...brief, promptTemplate: 'footage, {style}' } }), /brief\.promptTemplate/],
    [project({ transcript: 'missing.srt' }), /missing\.srt/],
  ];
  for (const [input, message] of cases) {
    await expect(product.api.broll.start(input, workDir)).rejects.toThrow(InputError);
    await expect(product.api.broll.start(input, workDir)).rejects.toThrow(message);
  }
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(0);
  const started: string[] = [];
  for await (const execution of product.client.workflow.list({ query: `WorkflowType="BrollWorkflow" AND WorkflowId STARTS_WITH "bad-"` }))
    started.push(execution.workflowId);
  expect(started).toEqual([]);
}, 60_000);
