import type { WorkflowHandle } from '@temporalio/client';
import { TermListModerator, type ContentModerator, type ModerationSubject } from '../../activities/moderation';
import type { ModerationVerdict } from '../../schemas/moderation';
import { leasePoolWorkflowId, leasesQuery } from '../../workflows/messages';
import { brollInput } from '../helpers/broll-input';
import { pollUntil, sleep } from '../helpers/poll';
import { FAST_OPTIONS, replayHistory, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

/**
 * An editor's regeneration under a campaign's backlog, on the real stack at cap 1: the project reserves the next slot
 * for it as it decides, and claims it with the regeneration's first lease as soon as its child has started (the child
 * only waits for the grant), so the pool serves it with the next slot the campaign frees; a regeneration its
 * pre-screen refuses gives that lease back.
 */
let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'interactive', cap: 1 });
});
afterAll(async () => {
  await product.stop();
});

function campaign(campaignId: string, variants: number) {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: Array.from({ length: variants }, (_, index) => ({ id: `v${index + 1}`, promptText: `A product shot, take ${index + 1}` })),
    options: FAST_OPTIONS,
  } as const;
}

async function awaitingReview(projectId: string) {
  return pollUntil(
    `${projectId} awaiting review`,
    () => product.api.broll.progress(projectId),
    (progress) => progress.counts['awaiting-review'] === progress.items.length && progress.counts.generating === 0,
    60_000,
  );
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Local activities a history ran, by type (their markers name them in the encoded payload). */
function localActivities(events: HistoryEvent[] | null | undefined, type: string): number {
  return (events ?? []).filter(
    (event) =>
      event.markerRecordedEventAttributes?.markerName === 'core_local_activity' &&
      Object.values(event.markerRecordedEventAttributes.details ?? {}).some((details) =>
        (details.payloads ?? []).some((payload) =>
          Buffer.from(payload.data ?? [])
            .toString('utf8')
            .includes(`"${type}"`),
        ),
      ),
  ).length;
}

async function poolKnows(running: RunningProduct, leasePrefix: string): Promise<boolean> {
  const pool = await running.client.workflow.getHandle(leasePoolWorkflowId(running.taskQueue)).query(leasesQuery);
  return [...pool.holders, ...pool.waiting].some((lease) => lease.leaseId.startsWith(leasePrefix));
}

test("a regeneration's lease is reserved and claimed by its project, and it takes the next slot the campaign frees", async () => {
  // 1.5 s real a campaign task: the reject lands while one runs and the rest wait.
  await resetSimulator({ generationSeconds: { kind: 'fixed', seconds: 900 } });
  const projectId = 'interactive-doc';
  await product.api.broll.startPlanned(brollInput(projectId, ['A harbour at dawn, archive film']));
  await awaitingReview(projectId);
  await product.api.campaigns.start(campaign('interactive-backlog', 5));
  await pollUntil(
    'the campaign running with a backlog',
    async () => (await simulatorStats()).currentLive.overall,
    (live) => live === 1,
  );
  const rejectedAt = Date.now();
  await product.api.broll.reject(projectId, 's01', 'A harbour at night, archive film');
  await awaitingReview(projectId);

  const { tasks } = await simulatorStats();
  const after = tasks
    .filter((task) => Date.parse(task.createdAt) > rejectedAt)
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  expect(after[0]?.promptText).toBe('A harbour at night, archive film');

  const childId = (await product.api.broll.progress(projectId)).items[0]!.takes[0]!.generationId;
  const project = await product.client.workflow.getHandle(projectId).fetchHistory();
  const child = await product.client.workflow.getHandle(childId).fetchHistory();
  // A reservation in the task that decided on it, the claim in the task that learned the child started.
  expect(localActivities(project.events, 'requestGenerationLease')).toBe(2);
  expect(localActivities(child.events, 'requestGenerationLease')).toBe(0);
  expect(await poolKnows(product, childId)).toBe(false);
  // Temporal's task queues order their tasks the same way: the regeneration's first, the campaign's last.
  const campaignHistory = await product.client.workflow.getHandle('interactive-backlog').fetchHistory();
  const variantId = campaignHistory.events!.find((event) => event.childWorkflowExecutionStartedEventAttributes)!
    .childWorkflowExecutionStartedEventAttributes!.workflowExecution!.workflowId!;
  expect((await product.client.workflow.getHandle(childId).describe()).priority?.priorityKey).toBe(1);
  expect((await product.client.workflow.getHandle(variantId).describe()).priority?.priorityKey).toBe(5);
  expect((await product.client.workflow.getHandle(projectId).describe()).priority?.priorityKey).toBe(3);
  await replayHistory(product.client, projectId);
  await replayHistory(product.client, childId);

  await product.api.campaigns.cancel('interactive-backlog');
  await product.api.broll.cancel(projectId);
}, 120_000);

/** The term list, taking its time: the pool's grant reaches the regeneration before its pre-screen refuses the prompt. */
class SlowModerator implements ContentModerator {
  readonly name = 'slow term list';
  private readonly terms = new TermListModerator();
  async check(subject: ModerationSubject): Promise<ModerationVerdict> {
    await sleep(1_500);
    return this.terms.check(subject);
  }
}

test('a regeneration its pre-screen refuses after the grant gives back the lease its project asked for: the campaign goes on at once', async () => {
  await resetSimulator({ generationSeconds: { kind: 'fixed', seconds: 600 } });
  const slow = await startProduct({ name: 'interactive-refused', cap: 1, deps: { moderator: new SlowModerator() } });
  try {
    const projectId = 'interactive-refused';
    await slow.api.broll.startPlanned(brollInput(projectId, ['A lighthouse, archive film']));
    await pollUntil(
      `${projectId} awaiting review`,
      () => slow.api.broll.progress(projectId),
      (progress) => progress.counts['awaiting-review'] === 1,
      60_000,
    );
    // The one slot is free: the pool grants the regeneration's lease while its pre-screen still runs.
    await slow.api.broll.reject(projectId, 's01', 'An nsfw lighthouse');
    const childId = (await slow.api.broll.progress(projectId)).items[0]!.takes[0]!.generationId;
    await pollUntil('the regeneration granted its lease', () => poolKnows(slow, childId), Boolean, 10_000, 50);
    const refused = await pollUntil(
      'the regeneration refused by its pre-screen',
      () => slow.api.broll.progress(projectId),
      (progress) => progress.items[0]?.takes.some((take) => take.state === 'failed') === true,
      30_000,
    );
    expect(refused.items[0]!.takes[0]!.error).toMatch(/PromptRejected|pre-screen/);
    await pollUntil(
      'the refused regeneration’s lease given back',
      () => poolKnows(slow, childId),
      (known) => !known,
      10_000,
      100,
    );
    // Held until its TTL (half an hour and more), the one slot would stall the campaign far past this test's bound.
    const started = await slow.api.campaigns.start(campaign('interactive-after-refusal', 3));
    expect(await slow.api.campaigns.waitForResult(started.campaignId)).toMatchObject({ total: 3, archived: 3 });
    expect((await simulatorStats()).tasks.some((task) => task.promptText?.includes('nsfw'))).toBe(false);
    await replayHistory(slow.client, childId);
    await slow.api.broll.cancel(projectId);
  } finally {
    await slow.stop();
  }
}, 120_000);
