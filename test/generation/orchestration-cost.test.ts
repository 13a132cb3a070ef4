import type { CampaignFileInput } from '../../schemas';
import { leasePoolWorkflowId } from '../../workflows/messages';
import { startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { runsOn, workflowShowJson } from '../helpers/stored-history';

/**
 * What orchestration costs per video on a production cluster is events and signals: both are read here
 * from the histories Temporal stored (`temporal workflow show`), not from anything the product counts.
 */

/** History events one video may take on the happy path (one submission, one poll loop, archive): the bound. */
const MAX_EVENTS_PER_VIDEO = 40;
/**
 * What the happy path takes today, 30, with a little room: the start, five workflow tasks (start, grant,
 * the task's id, generated, archived), two markers (pre-screen, lease request), two signals, two
 * activities, three upserts and the completion. A change that adds a workflow task per video fails here.
 */
const EXPECTED_EVENTS_PER_VIDEO = 32;

/**
 * Signals delivered anywhere (video, lease pool, campaign) per video, on the happy path: the lease request
 * (signal-with-start to the pool), its grant (pool → video), the lease given back (generate activity →
 * pool, the moment the remote task ends), the remote task's id and state (activity → video, once, with the
 * first poll), the campaign told the variant runs (activity → campaign, for `progress` and `watch`), and the
 * variant's end (archive activity → campaign, once the clip is in S3): six. An archive of a moment is not
 * shown as 'archiving' (the last test shows one that lasts). Here the first poll (8 s simulated) comes after
 * the 2 s queue, so it sees RUNNING; a task first seen PENDING would add two (video and campaign).
 */
const MAX_SIGNALS_PER_VIDEO = 6;

let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'orchestration-cost', cap: 4 });
});
afterAll(async () => {
  await product.stop();
});

interface StoredEvent {
  eventType: string;
  [key: string]: unknown;
}

async function storedEvents(execution: { workflowId: string; runId: string }): Promise<StoredEvent[]> {
  const shown = JSON.parse(await workflowShowJson(execution)) as { events: StoredEvent[] };
  return shown.events;
}

/** EVENT_TYPE_WORKFLOW_TASK_STARTED → WorkflowTaskStarted */
function typeName(event: StoredEvent): string {
  return String(event.eventType)
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}

function countByType(events: StoredEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[typeName(event)] = (counts[typeName(event)] ?? 0) + 1;
  return counts;
}

/** Signal names received, from WorkflowExecutionSignaled events. */
function signalNames(events: StoredEvent[]): string[] {
  return events
    .filter((event) => typeName(event) === 'WorkflowExecutionSignaled')
    .map((event) => String((event.workflowExecutionSignaledEventAttributes as { signalName?: string } | undefined)?.signalName));
}

function tally(names: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

test('8 variants: each video history ≤ 40 events, ≤ 6 signals per video across video, pool and campaign', async () => {
  // The bench's shape, time-scaled: a short queue, generations of 1–2 s real, polls every 8 s simulated.
  await resetSimulator({ timeScale: 60, concurrency: 4, pendingSeconds: 2, generationSeconds: { kind: 'uniform', min: 60, max: 120 } });
  const campaign: CampaignFileInput = {
    campaignId: 'orchestration-cost',
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: Array.from({ length: 8 }, (_, index) => ({
      id: `v${index + 1}`,
      promptText: `A product shot on a table, take ${index + 1}`,
    })),
    options: { pollInterval: Math.round(8000 / 60), pollJitter: 0.1, maxPendingWait: '60s', maxRunningWait: '60s', maxSubmissions: 3 },
  };
  const started = await product.api.campaigns.start(campaign);
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  expect(result.archived).toBe(8);
  expect((await simulatorStats()).submissions.total).toBe(8);

  const runs = await runsOn(product.client, product.taskQueue);
  const videos = runs.filter((run) => run.type === 'GenerationWorkflow');
  expect(videos).toHaveLength(8);
  const poolRuns = runs.filter((run) => run.workflowId === leasePoolWorkflowId(product.taskQueue));
  const campaignRuns = runs.filter((run) => run.type === 'CampaignWorkflow');

  const perVideo: Array<{ workflowId: string; events: number; types: Record<string, number>; signals: string[] }> = [];
  for (const video of videos) {
    const events = await storedEvents(video);
    perVideo.push({ workflowId: video.workflowId, events: events.length, types: countByType(events), signals: signalNames(events) });
  }
  const poolSignals = (await Promise.all(poolRuns.map(storedEvents))).flatMap(signalNames);
  const campaignSignals = (await Promise.all(campaignRuns.map(storedEvents))).flatMap(signalNames);
  const videoSignals = perVideo.flatMap((video) => video.signals);
  const signalsPerVideo = (videoSignals.length + poolSignals.length + campaignSignals.length) / videos.length;

  // The table in the log is what the before/after comparison reads.
  const types = [...new Set(perVideo.flatMap((video) => Object.keys(video.types)))].sort();
  const eventTable = Object.fromEntries(types.map((type) => [type, perVideo.map((video) => video.types[type] ?? 0).join(' ')]));
  console.log(
    JSON.stringify(
      {
        eventsPerVideo: perVideo.map((video) => video.events),
        eventTypes: eventTable,
        signalsPerVideo,
        videoSignals: tally(videoSignals),
        poolSignals: tally(poolSignals),
        campaignSignals: tally(campaignSignals),
      },
      null,
      2,
    ),
  );

  expect(Math.max(...perVideo.map((video) => video.events))).toBeLessThanOrEqual(MAX_EVENTS_PER_VIDEO);
  expect(Math.max(...perVideo.map((video) => video.events))).toBeLessThanOrEqual(EXPECTED_EVENTS_PER_VIDEO);
  expect(signalsPerVideo).toBeLessThanOrEqual(MAX_SIGNALS_PER_VIDEO);
  // The end reached the campaign from the archive activity, not as a signal the video sent.
  expect(perVideo.every((video) => (video.types.SignalExternalWorkflowExecutionInitiated ?? 0) === 0)).toBe(true);
  expect(tally(campaignSignals).generationEnd).toBe(8);
  // One state per variant reached the campaign: running (no 'archiving' for a clip archived in a moment).
  expect(tally(campaignSignals).generationState).toBe(8);
  // The pool keeps one timer for its next wake, not one per lease it grants or takes back.
  const poolTimers = (await Promise.all(poolRuns.map(storedEvents))).flat().filter((event) => typeName(event) === 'TimerStarted');
  expect(poolTimers.length).toBeLessThanOrEqual(2);
}, 180_000);

test('an archive that lasts is shown as archiving by the campaign, and still ends archived', async () => {
  // Every /v1 request takes 1.5 s here, so the archive's fresh-URL read alone outlasts ARCHIVING_SHOWN_AFTER_MS.
  await resetSimulator({
    timeScale: 60,
    concurrency: 4,
    pendingSeconds: 2,
    generationSeconds: { kind: 'fixed', seconds: 60 },
    faults: { latencyMs: { min: 1500, max: 1500 } },
  });
  const campaign: CampaignFileInput = {
    campaignId: 'orchestration-cost-slow-archive',
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: [{ id: 'v1', promptText: 'A product shot on a table, archived slowly' }],
    options: { pollInterval: Math.round(8000 / 60), maxPendingWait: '60s', maxRunningWait: '60s' },
  };
  const started = await product.api.campaigns.start(campaign);
  const seen = new Set<string>();
  const result = product.api.campaigns.waitForResult(started.campaignId);
  let done = false;
  void result.finally(() => (done = true));
  while (!done) {
    const progress = await product.api.campaigns.progress(started.campaignId).catch(() => undefined);
    for (const [state, count] of Object.entries(progress?.counts ?? {})) if (typeof count === 'number' && count > 0) seen.add(state);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect((await result).archived).toBe(1);
  expect(seen).toContain('archiving');
}, 120_000);
