import type { ExplainerProgress, ReviewDecision } from '../../schemas';
import { reviewUpdate } from '../../workflows/messages';
import { ProjectStateKey } from '../../workflows/search-attributes';
import { refusal } from '../helpers/broll-input';
import { EXPLAINER_CLIP_SECONDS, explainerInput } from '../helpers/explainer-input';
import { pollUntil } from '../helpers/poll';
import { replayHistory, startProduct, type RunningProduct } from '../helpers/product';
import { listKeys, readText } from '../helpers/s3-object';
import { updateFailureOf } from '../helpers/failure';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { storedMp4 } from '../helpers/stored-mp4';
import { productEnv, runCli } from '../helpers/worker-process';

/**
 * A teacher's review of an explainer in the shared review room, on the real stack: a moderated chunk waits
 * for a new prompt instead of failing the explainer; a rejected clip and a redone voiceover are generations
 * of their own beside the first (deterministic ids, billed, in the budget); the review Update's validator
 * refuses, naming the chunk and spending nothing, what cannot be done; finalizing assembles the MP4 and
 * its package from the approved takes.
 */
let product: RunningProduct;
beforeAll(async () => (product = await startProduct({ name: 'explainer-review', cap: 10 })));
afterAll(() => product.stop());

function settled(explainerId: string): Promise<ExplainerProgress> {
  return pollUntil(
    `${explainerId}: nothing generating`,
    () => product.api.explainers.progress(explainerId),
    (progress) => progress.counts.generating === 0,
    90_000,
  );
}

/** The review Update sent as is (no client-side check): the workflow's validator's refusal, as its message. */
async function validatorRefusal(explainerId: string, decisions: unknown[]): Promise<string> {
  const update = product.client.workflow
    .getHandle(explainerId)
    .executeUpdate(reviewUpdate, { args: [{ decisions: decisions as ReviewDecision[] }] });
  const cause = await updateFailureOf(update);
  expect(cause.type).toBe('ReviewRefused');
  return cause.message;
}

test('review: a moderated chunk waits for a new prompt; a rejected clip and a redone voiceover are new generations beside the first; refusals name the chunk and spend nothing; finalize assembles the approved takes; the history replays', async () => {
  await resetSimulator();
  const explainerId = 'cells-reviewed';
  await product.api.explainers.startPlanned(
    explainerInput(explainerId, {
      review: true,
      clipPrompt: (index) => (index === 2 ? 'a forbidden-content scene of a nucleus' : undefined),
    }),
  );
  expect(await refusal(product.api.explainers.approve(explainerId, ['c01']))).toMatch(/^chunk c01 is still generating/);

  // Every first take and voiceover in: c03's clip was moderated, and the explainer waits instead of failing.
  const ready = await settled(explainerId);
  expect(ready).toMatchObject({ state: 'awaiting-review', review: true, open: true, takesPerItem: 1, round: 1 });
  expect(ready.pendingDecisions).toEqual(['c01', 'c02', 'c04', 'c05', 'c06']);
  const c03 = ready.items[2]!;
  expect(c03).toMatchObject({ key: 'c03', state: 'failed' });
  expect(c03.takes[0]).toMatchObject({ take: 1, state: 'failed', generationId: `${explainerId}--c03--clip` });
  expect(c03.error).toMatch(/^take 1: ContentModeration: /);
  expect(ready.items[0]!.voiceover).toMatchObject({ take: 1, state: 'ready', generationId: `${explainerId}--c01--voice` });
  expect((await product.client.workflow.getHandle(explainerId).describe()).status.name).toBe('RUNNING');
  await pollUntil('ProjectState="awaiting-review" and listed for the review page', async () => {
    const description = await product.client.workflow.getHandle(explainerId).describe();
    const listed = await product.api.explainers.listAwaitingReview();
    return (
      description.typedSearchAttributes.get(ProjectStateKey) === 'awaiting-review' &&
      listed.some((entry) => entry.workloadId === explainerId)
    );
  });
  const before = await simulatorStats();
  expect(before.submissions.total).toBe(12);
  expect(ready.creditsSpent).toBe(before.credits.net);

  // What the validator refuses, naming the chunk; none of it is billed or even accepted into the history.
  expect(await validatorRefusal(explainerId, [{ key: 'c99', action: 'approve' }])).toBe(
    `unknown chunk "c99": explainer ${explainerId} has c01, c02, c03, c04, c05, c06`,
  );
  expect(await validatorRefusal(explainerId, [{ key: 'c04', action: 'revoice', text: '   ' }])).toBe(
    'invalid review: chunk c04: the new narration must not be empty',
  );
  expect(await validatorRefusal(explainerId, [{ key: 'c04', action: 'revoice', text: 'x'.repeat(1001) }])).toBe(
    'invalid review: chunk c04: the new narration must be at most 1000 characters',
  );
  const tooLong = 'Mitochondria are tiny power stations that burn sugar and oxygen to make the energy every part of the cell runs on.';
  expect(await validatorRefusal(explainerId, [{ key: 'c04', action: 'revoice', text: tooLong }])).toBe(
    'chunk c04: the new narration (21 words) takes 8.4 s to say at 2.5 words/s, longer than its 5 s clip: say it in at most 12 words',
  );
  expect(await validatorRefusal(explainerId, [{ key: 'c03', action: 'approve' }])).toMatch(
    /^chunk c03 has no take to approve \(take 1: ContentModeration: .*\); reject it with a new prompt$/,
  );
  expect(await validatorRefusal(explainerId, [{ key: 'c01', action: 'select', take: 2 }])).toBe(
    'chunk c01 has no take 2: its round 1 has takes 1',
  );
  // The typed client checks the same before it sends anything, and says which chunk.
  expect(await refusal(product.api.explainers.revoice(explainerId, 'c04', ''))).toMatch(/chunk c04: the new narration must not be empty/);
  expect(await refusal(product.api.explainers.finalize(explainerId))).toMatch(
    new RegExp(`^cannot finalize explainer ${explainerId}: c01 \\(awaiting-review\\), .*c03 \\(failed\\).* not approved yet`),
  );
  expect(await refusal(product.api.explainers.finalize(explainerId, { allowUnapproved: true }))).toMatch(
    /chunk c03 has nothing to deliver \(take 1: ContentModeration: .*\); reject it with a new prompt or redo the voiceover$/,
  );
  const refusedHistory = await product.client.workflow.getHandle(explainerId).fetchHistory();
  expect((refusedHistory.events ?? []).some((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  expect((await simulatorStats()).submissions.total).toBe(12);
  expect((await product.api.explainers.progress(explainerId)).creditsSpent).toBe(ready.creditsSpent);

  // c03 rejected with a new prompt (take 2 of its clip): while it generates, a decision on it is refused.
  const newPrompt = 'clean flat illustration, soft pastel colours: a cell nucleus glowing softly';
  const rejected = await product.api.explainers.reject(explainerId, 'c03', newPrompt);
  expect(rejected.items[2]).toMatchObject({ state: 'generating', round: 2 });
  expect(await validatorRefusal(explainerId, [{ key: 'c03', action: 'approve' }])).toBe(
    'chunk c03 is still generating (round 2); decide once its takes are ready',
  );
  // The CLI: c04's voiceover redone with new text.
  const env = productEnv(product.taskQueue);
  const newText = 'Mitochondria turn food into energy.';
  const revoiced = await runCli(['explainer', 'revoice', explainerId, 'c04', '--text', newText], env);
  expect(revoiced).toMatchObject({ code: 0, stderr: '' });
  expect(revoiced.stdout).toMatch(/c04 +generating/);

  const second = await settled(explainerId);
  expect(second.items[2]!.takes).toMatchObject([
    { take: 2, round: 2, state: 'ready', generationId: `${explainerId}--c03--clip--t2`, promptText: newPrompt },
  ]);
  expect(second.items[2]!.rejectedRounds).toMatchObject([{ round: 1, rejectedWith: newPrompt }]);
  expect(second.items[3]!.voiceover).toMatchObject({
    take: 2,
    state: 'ready',
    text: newText,
    generationId: `${explainerId}--c04--voice--t2`,
  });
  expect(second.items[3]!.text).toBe(newText);
  expect(second.pendingDecisions).toEqual(['c01', 'c02', 'c03', 'c04', 'c05', 'c06']);
  const afterRounds = await simulatorStats();
  expect(afterRounds.submissions.total).toBe(14);
  expect(second.creditsSpent).toBe(afterRounds.credits.net);

  // Approve every chunk, then finalize: the assembly of the approved takes, answered by the finalize Update.
  const approved = await runCli(['explainer', 'approve', explainerId, '--all', '--json'], env);
  expect(approved.code).toBe(0);
  expect((JSON.parse(approved.stdout) as ExplainerProgress).counts.approved).toBe(6);
  const finalized = await runCli(['explainer', 'finalize', explainerId, '--json'], env);
  expect(finalized).toMatchObject({ code: 0, stderr: '' });
  const result = JSON.parse(finalized.stdout) as Awaited<ReturnType<typeof product.api.explainers.waitForResult>>;
  expect(result).toMatchObject({ explainerId, unapproved: [] });
  expect(result.chunks[2]!.clipKey).toMatch(new RegExp(`^explainers/${explainerId}/c03--clip--t2/`));
  expect(result.chunks[3]).toMatchObject({ text: newText });
  expect(result.chunks[3]!.voiceoverKey).toMatch(new RegExp(`^explainers/${explainerId}/c04--voice--t2/`));
  expect(await product.api.explainers.waitForResult(explainerId)).toEqual(result);
  expect(result.credits).toBe((await simulatorStats()).credits.net);
  const mp4 = await storedMp4(result.video.key);
  expect(mp4).toMatchObject({ sha256: result.video.sha256, streams: ['audio:aac', 'video:h264'] });
  expect(Math.abs(mp4.durationSeconds - EXPLAINER_CLIP_SECONDS.reduce((total, seconds) => total + seconds))).toBeLessThanOrEqual(0.1);
  // The caption follows the redone voiceover.
  expect(await readText(result.subtitles.key)).toContain(newText);
  expect(await listKeys(`explainers/${explainerId}/explainer`)).toEqual(
    ['mp4', 'vtt', 'zip'].map((extension) => `explainers/${explainerId}/explainer.${extension}`),
  );
  const done = await product.api.explainers.progress(explainerId);
  expect(done).toMatchObject({ state: 'done', open: false });
  expect(await refusal(product.api.explainers.approve(explainerId, ['c01']))).toMatch(/has ended \(done\); it takes no more decisions/);

  // The workflow's code replays its own history: rounds, a redone voiceover, refusals, finalize, the assembly.
  await replayHistory(product.client, explainerId);
}, 300_000);

test('without review, the room takes no decisions: a review or finalize is refused, saying the explainer is not reviewed', async () => {
  await resetSimulator();
  const explainerId = 'cells-unreviewed';
  await product.api.explainers.startPlanned(explainerInput(explainerId, { chunks: 2, options: { pollInterval: '60s' } }));
  try {
    expect(await validatorRefusal(explainerId, [{ key: 'c01', action: 'approve' }])).toBe(
      `explainer ${explainerId} is not reviewed (review: false): it takes no decisions, and delivers once everything is generated`,
    );
    expect(await refusal(product.api.explainers.finalize(explainerId))).toMatch(/is not reviewed \(review: false\): it takes no finalize/);
    expect((await product.api.explainers.progress(explainerId)).open).toBe(false);
  } finally {
    // Cancelled, its generations DELETE their remote tasks before it ends: nothing of it reaches the next test's bill.
    await product.api.explainers.cancel(explainerId);
    await expect(product.api.explainers.waitForResult(explainerId)).rejects.toThrow();
  }
}, 60_000);

test('the budget holds review rounds: a new clip the budget cannot hold is refused before anything is sent', async () => {
  await resetSimulator();
  const explainerId = 'cells-review-budget';
  // The first round's 19 s of clips and six voiceovers take all but a few of the 240 credits.
  await product.api.explainers.startPlanned(explainerInput(explainerId, { review: true, budgetCredits: 240 }));
  const ready = await settled(explainerId);
  const billed = (await simulatorStats()).credits.net;
  expect(ready.creditsSpent).toBe(billed);
  try {
    expect(await validatorRefusal(explainerId, [{ key: 'c01', action: 'reject', promptText: 'a cell, drawn again' }])).toBe(
      `the new takes need 24 credits; the explainer budget of 240 credits has ${240 - billed} left`,
    );
    expect((await simulatorStats()).submissions.total).toBe(12);
  } finally {
    await product.api.explainers.cancel(explainerId);
  }
}, 120_000);
