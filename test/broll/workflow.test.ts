import { WorkflowFailedError } from '@temporalio/client';
import { ProjectStateKey } from '../../workflows/search-attributes';
import { brollInput, parseEdl, refusal, segmentId } from '../helpers/broll-input';
import { pollUntil } from '../helpers/poll';
import { startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256, readText } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { productEnv, runCli } from '../helpers/worker-process';

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'broll', cap: 10 });
});
afterAll(async () => {
  await product.stop();
});

const prompts = (n: number, topic = 'archive footage') => Array.from({ length: n }, (_, index) => `${topic}, shot ${index + 1}`);

function awaitingReview(projectId: string, count: number) {
  return pollUntil(
    `${projectId}: ${count} segments awaiting review`,
    () => product.api.broll.progress(projectId),
    (progress) => progress.counts['awaiting-review'] === count && progress.counts.generating === 0,
    60_000,
  );
}

async function projectStateAttribute(projectId: string): Promise<string | undefined> {
  const description = await product.client.workflow.getHandle(projectId).describe();
  return description.typedSearchAttributes.get(ProjectStateKey);
}

test('8 segments: generated, 2 rejected and regenerated, the rest approved, finalized; the EDL read back matches S3', async () => {
  // 2 s real per generation: a segment just rejected is still generating when the next decision comes.
  await resetSimulator({ generationSeconds: { kind: 'fixed', seconds: 1_200 } });
  const projectId = 'doc-ep1';
  const started = await product.api.broll.startPlanned(brollInput(projectId, prompts(8)));
  expect(started.workflowId).toBe(projectId);

  expect(await refusal(product.api.broll.approve(projectId, ['s01']))).toMatch(/segment s01 is still generating \(round 1\)/);
  const ready = await awaitingReview(projectId, 8);
  expect(ready).toMatchObject({ state: 'awaiting-review', round: 1, creditsSpent: 8 * 60 });
  expect(ready.pendingDecisions).toEqual(prompts(8).map((_, index) => segmentId(index)));
  expect(await projectStateAttribute(projectId)).toBe('awaiting-review');
  await pollUntil(
    'listed as awaiting review',
    () => product.api.broll.listAwaitingReview(),
    (list) => list.some((p) => p.workloadId === projectId),
  );

  expect(await refusal(product.api.broll.approve(projectId, ['s99']))).toMatch(/unknown segment "s99": project doc-ep1 has s01, s02/);
  const firstClips = Object.fromEntries(ready.items.map((segment) => [segment.segmentId, segment.takes[0]!]));

  const afterReject = await product.api.broll.review(projectId, [
    { key: 's02', action: 'reject', promptText: 'A 1970s newsroom, typewriters, warm grain' },
    { key: 's05', action: 'reject', promptText: 'A harbour crane at dusk, 16 mm film' },
  ]);
  expect(afterReject.state).toBe('generating');
  const s02 = afterReject.items.find((segment) => segment.key === 's02')!;
  expect(s02).toMatchObject({ state: 'generating', round: 2, promptText: 'A 1970s newsroom, typewriters, warm grain' });
  expect(s02.rejectedRounds).toEqual([
    { round: 1, promptText: 'archive footage, shot 2', rejectedWith: 'A 1970s newsroom, typewriters, warm grain', takes: [firstClips.s02] },
  ]);
  // Take numbers run on across rounds: round 2 of a one-take segment is take 2.
  expect(s02.takes.map((take) => [take.take, take.state, take.generationId])).toEqual([[2, 'generating', 'doc-ep1--s02--t2']]);
  expect(await refusal(product.api.broll.approve(projectId, ['s02']))).toMatch(/segment s02 is still generating \(round 2\)/);
  expect(await refusal(product.api.broll.finalize(projectId))).toMatch(/s02 \(generating\), s05 \(generating\); wait for their takes/);

  const regenerated = await awaitingReview(projectId, 8);
  expect(regenerated.round).toBe(2);
  const approved = await product.api.broll.approve(projectId, 'all');
  expect(approved.counts.approved).toBe(8);
  const result = await product.api.broll.finalize(projectId);
  expect(result).toMatchObject({ projectId, state: 'finalized', missing: [], credits: 10 * 60 });
  expect(await product.api.broll.waitForResult(projectId)).toEqual(result);
  expect(result.editList).toMatchObject({
    edlKey: 'broll/doc-ep1/edit-list.edl',
    csvKey: 'broll/doc-ep1/edit-list.csv',
    jsonKey: 'broll/doc-ep1/edit-list.json',
    xmlKey: 'broll/doc-ep1/edit-list.xml',
  });

  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(10);
  expect(result.credits).toBe(stats.credits.net);

  const edl = parseEdl(await readText(result.editList.edlKey));
  expect(edl.title).toBe(projectId);
  expect(edl.fcm).toBe('NON-DROP FRAME');
  expect(edl.events).toHaveLength(8);
  expect(edl.events.map((event) => event.event)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  // Each 5 s clip in a 6.33 s cue: the event runs the clip, source and record 5 s, from the cue's record in.
  expect(edl.events[0]).toMatchObject({ reel: 'AX', track: 'V', transition: 'C', sourceIn: '00:00:00:00', sourceOut: '00:00:05:00' });
  expect(edl.events[0]).toMatchObject({ recordIn: '00:00:00:00', recordOut: '00:00:05:00' });
  expect(edl.events[1]).toMatchObject({ recordIn: '00:00:07:06', recordOut: '00:00:12:06' });
  expect(edl.events[7]).toMatchObject({ recordIn: '00:00:50:19', recordOut: '00:00:55:19' });

  const record = JSON.parse(await readText(result.editList.jsonKey)) as { entries: typeof result.entries };
  expect(record.entries).toEqual(result.entries);
  for (const [index, entry] of result.entries.entries()) {
    expect(entry).toMatchObject({ event: index + 1, segmentId: segmentId(index), approval: 'approved', durationSeconds: 5 });
    expect(entry.round).toBe(['s02', 's05'].includes(entry.segmentId) ? 2 : 1);
    // The name an editor reads, the same in the EDL, the entry and S3.
    const take = entry.round === 2 ? 2 : 1;
    expect(entry.clipName).toBe(`doc-ep1-${entry.segmentId}-t${take}.mp4`);
    expect(edl.events[index]!.clipName).toBe(entry.clipName);
    expect(entry.clipKey).toBe(`broll/doc-ep1/${entry.segmentId}-t${take}/${entry.clipName}`);
    const stored = await objectSha256(entry.clipKey!);
    expect(stored.sha256).toBe(entry.sha256);
    expect(stats.tasks.some((task) => task.outputSha256 === entry.sha256)).toBe(true);
  }
  // The rejected clips stay in S3.
  expect((await objectSha256(firstClips.s02!.output!.key)).sha256).toBe(firstClips.s02!.output!.sha256);
  const csv = (await readText(result.editList.csvKey)).trim().split('\r\n');
  expect(csv).toHaveLength(9);
  expect(csv[0]).toMatch(/^event,segmentId,take,clipName,recordIn,recordOut/);

  // A review after finalize is refused, and nothing more is submitted.
  expect(await refusal(product.api.broll.approve(projectId, ['s01']))).toMatch(
    /project doc-ep1 has ended \(finalized\)|project doc-ep1 is finalized/,
  );
  expect(await projectStateAttribute(projectId)).toBe('finalized');
  expect((await simulatorStats()).submissions.total).toBe(10);
}, 180_000);

test('finalize is refused while segments are unapproved and allowed with allowUnapproved; a moderated segment gets a new round', async () => {
  await resetSimulator();
  const projectId = 'doc-partial';
  await product.api.broll.startPlanned(brollInput(projectId, ['A calm lake at dawn', 'A busy market', 'A forbidden-content scene']));
  const ready = await pollUntil(
    'every first round ended',
    () => product.api.broll.progress(projectId),
    (progress) => progress.counts.generating === 0,
    60_000,
  );
  expect(ready.counts).toMatchObject({ 'awaiting-review': 2, failed: 1 });
  const s03 = ready.items.find((segment) => segment.key === 's03')!;
  expect(s03.error).toMatch(/^take 1: ContentModeration: /);
  expect(await refusal(product.api.broll.approve(projectId, ['s03']))).toMatch(
    /segment s03 has no take to approve .*reject it with a new prompt/,
  );

  const env = productEnv(product.taskQueue);
  const cliRefusal = await runCli(['broll', 'approve', projectId, 's99', '--json'], env);
  expect(cliRefusal).toMatchObject({ code: 2, stdout: '' });
  expect(cliRefusal.stderr.trim().split('\n')).toHaveLength(1);
  expect(cliRefusal.stderr).toMatch(/unknown segment "s99"/);
  const cliApprove = await runCli(['broll', 'approve', projectId, 's01', '--json'], env);
  expect(cliApprove.code).toBe(0);
  expect(JSON.parse(cliApprove.stdout)).toMatchObject({ projectId, counts: { approved: 1 } });

  expect(await refusal(product.api.broll.finalize(projectId))).toBe(
    'cannot finalize project doc-partial: s02 (awaiting-review), s03 (failed) not approved yet; select a take of them, or finalize with allowUnapproved to list them as missing',
  );
  await product.api.broll.reject(projectId, 's03', 'A quiet library, dust in the light');
  await awaitingReview(projectId, 2);
  const cliFinal = await runCli(['broll', 'finalize', projectId, '--allow-unapproved', '--json'], env);
  expect(cliFinal.code).toBe(0);
  const result = JSON.parse(cliFinal.stdout) as Awaited<ReturnType<typeof product.api.broll.finalize>>;
  expect(result).toMatchObject({ state: 'finalized', missing: ['s02', 's03'] });
  expect(result.entries.map((entry) => [entry.segmentId, entry.approval, entry.round])).toEqual([
    ['s01', 'approved', 1],
    ['s02', 'unapproved', 1],
    ['s03', 'unapproved', 2],
  ]);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(4);
  expect(result.credits).toBe(stats.credits.net);
  const record = JSON.parse(await readText(result.editList.jsonKey)) as { missing: string[] };
  expect(record.missing).toEqual(['s02', 's03']);
  expect(await refusal(product.api.broll.finalize(projectId, { allowUnapproved: true }))).toMatch(/doc-partial (has ended|is finalized)/);
  expect((await simulatorStats()).submissions.total).toBe(4);
}, 120_000);

test('the review deadline passing ends the project as review-expired with an edit list of what was approved', async () => {
  await resetSimulator();
  const projectId = 'doc-deadline';
  await product.api.broll.startPlanned(brollInput(projectId, prompts(3), { reviewDeadlineMs: 4_000 }));
  const ready = await awaitingReview(projectId, 3);
  await product.api.broll.approve(projectId, ['s01']);
  const deadline = Date.parse(ready.reviewDeadline ?? (await product.api.broll.progress(projectId)).reviewDeadline!);
  expect(deadline).toBeGreaterThan(Date.now() - 4_000);
  const result = await product.api.broll.waitForResult(projectId);
  expect(Date.now()).toBeGreaterThanOrEqual(deadline - 1_000);
  expect(result).toMatchObject({ state: 'review-expired', missing: ['s02', 's03'], credits: 3 * 60 });
  expect(result.entries.map((entry) => [entry.segmentId, entry.approval, entry.clipKey !== undefined])).toEqual([
    ['s01', 'approved', true],
    ['s02', 'missing', false],
    ['s03', 'missing', false],
  ]);
  const edl = parseEdl(await readText(result.editList.edlKey));
  expect(edl.events.map((event) => event.reel)).toEqual(['AX', 'BL', 'BL']);
  expect(await projectStateAttribute(projectId)).toBe('review-expired');
}, 90_000);

test('cancelling a project cancels its children, which DELETE their remote tasks', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'endless dance' }, fault: 'stuck_running' }] } });
  const projectId = 'doc-cancel';
  await product.api.broll.startPlanned(brollInput(projectId, prompts(3, 'an endless dance'), { options: { maxRunningWait: '1h' } }));
  await pollUntil(
    '3 remote tasks running',
    simulatorStats,
    (stats) => stats.tasks.filter((task) => task.status === 'RUNNING').length === 3,
    30_000,
  );
  await product.api.broll.cancel(projectId);
  await expect(product.api.broll.waitForResult(projectId)).rejects.toBeInstanceOf(WorkflowFailedError);
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(3);
  // The generation activity and the video workflow's cleanup each DELETE (the second finds it gone): every task is deleted.
  expect(stats.tasks.map((task) => task.deleted)).toEqual([true, true, true]);
  expect(await projectStateAttribute(projectId)).toBe('cancelled');
  for (const segment of ['s01', 's02', 's03']) {
    const child = await product.client.workflow.getHandle(`${projectId}--${segment}`).describe();
    expect(child.status.name).toBe('CANCELLED');
  }
}, 90_000);

test('a reject past maxReviewRounds or past the budget is refused, naming the segment and why, and never submitted', async () => {
  await resetSimulator();
  const projectId = 'doc-bounds';
  // gen4.5 is 60 credits per 5 s clip: 190 credits buy the two first clips and one new round.
  await product.api.broll.startPlanned(brollInput(projectId, prompts(2), { budgetCredits: 190, maxReviewRounds: 1 }));
  await awaitingReview(projectId, 2);
  await product.api.broll.reject(projectId, 's01', 'A ferry leaving port, grain');
  const second = await awaitingReview(projectId, 2);
  expect(second).toMatchObject({ round: 2, creditsSpent: 180 });
  expect(await refusal(product.api.broll.reject(projectId, 's01', 'Yet another ferry'))).toBe(
    'segment s01 has used all 1 review rounds (maxReviewRounds); select one of its takes, or finalize with allowUnapproved',
  );
  expect(await refusal(product.api.broll.reject(projectId, 's02', 'A lighthouse'))).toBe(
    'the new takes need 60 credits; the project budget of 190 credits has 10 left',
  );
  expect(
    await refusal(
      product.api.broll.review(projectId, [
        { key: 's01', action: 'approve' },
        { key: 's01', action: 'approve' },
      ]),
    ),
  ).toMatch(/segment s01 has two decisions/);
  const result = await product.api.broll.finalize(projectId, { allowUnapproved: true });
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(3);
  expect(result).toMatchObject({ credits: 180, missing: ['s01', 's02'] });
  expect(result.credits).toBe(stats.credits.net);
}, 90_000);
