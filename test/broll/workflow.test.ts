import { InputError } from '../../client';
import { ProjectStateKey } from '../../workflows/search-attributes';
import { brollInput, parseEdl, readText, segmentId } from '../helpers/broll-input';
import { pollUntil } from '../helpers/poll';
import { startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256 } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'broll', cap: 10 });
});
afterAll(async () => {
  await product.stop();
});

const prompts = (n: number, topic = 'archive footage') => Array.from({ length: n }, (_, index) => `${topic}, shot ${index + 1}`);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}

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
    (list) => list.some((p) => p.projectId === projectId),
  );

  expect(await refusal(product.api.broll.approve(projectId, ['s99']))).toMatch(/unknown segment "s99": project doc-ep1 has s01, s02/);
  const firstClips = Object.fromEntries(ready.segments.map((segment) => [segment.segmentId, segment.clip!]));

  const afterReject = await product.api.broll.review(projectId, [
    { segmentId: 's02', action: 'reject', promptText: 'A 1970s newsroom, typewriters, warm grain' },
    { segmentId: 's05', action: 'reject', promptText: 'A harbour crane at dusk, 16 mm film' },
  ]);
  expect(afterReject.state).toBe('generating');
  const s02 = afterReject.segments.find((segment) => segment.segmentId === 's02')!;
  expect(s02).toMatchObject({ state: 'generating', round: 2, promptText: 'A 1970s newsroom, typewriters, warm grain' });
  expect(s02.rejectedClips).toEqual([{ ...firstClips.s02, rejected: { promptText: 'A 1970s newsroom, typewriters, warm grain' } }]);
  expect(await refusal(product.api.broll.approve(projectId, ['s02']))).toMatch(/segment s02 is still generating \(round 2\)/);
  expect(await refusal(product.api.broll.finalize(projectId))).toMatch(/s02 \(generating\), s05 \(generating\); wait for their clips/);

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
  });

  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(10);
  expect(result.credits).toBe(stats.credits.net);

  const edl = parseEdl(await readText(result.editList.edlKey));
  expect(edl.title).toBe(projectId);
  expect(edl.fcm).toBe('NON-DROP FRAME');
  expect(edl.events).toHaveLength(8);
  expect(edl.events.map((event) => event.event)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(edl.events[0]).toMatchObject({ reel: 'AX', track: 'V', transition: 'C', sourceIn: '00:00:00:00', sourceOut: '00:00:05:00' });
  expect(edl.events[0]).toMatchObject({ recordIn: '00:00:00:00', recordOut: '00:00:06:08' });
  expect(edl.events[1]).toMatchObject({ recordIn: '00:00:07:06', recordOut: '00:00:13:15' });
  expect(edl.events[7]).toMatchObject({ recordIn: '00:00:50:19', recordOut: '00:00:57:02' });

  const record = JSON.parse(await readText(result.editList.jsonKey)) as { entries: typeof result.entries };
  expect(record.entries).toEqual(result.entries);
  for (const [index, entry] of result.entries.entries()) {
    expect(entry).toMatchObject({ event: index + 1, segmentId: segmentId(index), approval: 'approved', durationSeconds: 5 });
    expect(entry.round).toBe(['s02', 's05'].includes(entry.segmentId) ? 2 : 1);
    expect(edl.events[index]!.clipName).toBe(entry.clipKey!.split('/').pop());
    const stored = await objectSha256(entry.clipKey!);
    expect(stored.sha256).toBe(entry.sha256);
    const task = stats.tasks.find((candidate) => entry.clipKey!.endsWith(`/${candidate.id}.mp4`));
    expect(task?.outputSha256).toBe(entry.sha256);
  }
  // The rejected clips stay in S3.
  expect((await objectSha256(firstClips.s02!.key)).sha256).toBe(firstClips.s02!.sha256);
  const csv = (await readText(result.editList.csvKey)).trim().split('\r\n');
  expect(csv).toHaveLength(9);
  expect(csv[0]).toMatch(/^event,segmentId,recordIn,recordOut/);

  // A review after finalize is refused, and nothing more is submitted.
  expect(await refusal(product.api.broll.approve(projectId, ['s01']))).toMatch(
    /project doc-ep1 has ended \(finalized\)|project doc-ep1 is finalized/,
  );
  expect(await projectStateAttribute(projectId)).toBe('finalized');
  expect((await simulatorStats()).submissions.total).toBe(10);
}, 180_000);
