import path from 'node:path';
import type { Client } from '@temporalio/client';
import { readWorkloadFile } from '../../client/workload-file';
import { variantWorkflowId } from '../../workflows/campaign/ids';
import { chunkWorkflowId } from '../../workflows/explainer/ids';
import { webhookDeliveryWorkflowId } from '../../schemas/webhook-delivery';
import { leasePoolWorkflowId } from '../../workflows/messages';
import { pollUntil } from '../helpers/poll';
import { FAST_OPTIONS, type RunningProduct } from '../helpers/product';
import { resetSimulator } from '../helpers/simulator-admin';

/** One run of a workflow to store: `label` names its file (`<scenario>.<label>.json`). */
export interface CapturedRun {
  label: string;
  workflowId: string;
  runId: string;
}

/** What every scenario runs on: the product's workers and client on one queue, and a webhook receiver they may deliver to. */
export interface ScenarioContext extends RunningProduct {
  webhookUrl: string;
}

export interface Scenario {
  name: string;
  /** What the stored histories show, for whoever reads index.json. */
  shows: string;
  run(context: ScenarioContext): Promise<CapturedRun[]>;
}

const examples = path.resolve(__dirname, '..', '..', 'examples');

/** A shipped example as its user would start it, at test speed: its own options, polled fast and bounded short. */
async function example(file: string, options: Record<string, unknown> = {}) {
  const { raw, baseDir } = await readWorkloadFile(path.join(examples, file), 'example');
  const content = raw as { options?: Record<string, unknown> };
  return { input: { ...content, options: { ...content.options, ...FAST_OPTIONS, ...options } }, baseDir };
}

/** Every run of a workflow id from its first, following continue-as-new to the current one. */
async function runChain(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runs.at(-1)).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

async function currentRun(client: Client, workflowId: string): Promise<CapturedRun> {
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  return { label: '', workflowId, runId };
}

/**
 * The scenarios `npm run histories:capture` runs on the real stack, in order, on one task queue (so the lease
 * pool's history holds all of them). Workloads start from the shipped examples, so a field an example gains is
 * in the next capture. A new workflow type, or a new path through one, adds a scenario here.
 */
export const scenarios: Scenario[] = [
  {
    name: 'campaign',
    shows: 'examples/product-hero.json (image-to-video, staged and uploaded image) continuing as new every 4 variants, 2 open at once',
    async run({ api, client }) {
      await resetSimulator();
      const { input, baseDir } = await example('product-hero.json', { continueAsNewEvery: 4, maxOpenVideos: 2 });
      const started = await api.campaigns.start(input as never, baseDir);
      const result = await api.campaigns.waitForResult(started.campaignId);
      const runs = await runChain(client, started.workflowId, started.runId);
      if (runs.length < 3) throw new Error(`the campaign continued as new ${runs.length - 1} times, not at least twice`);
      return [
        ...runs.map((runId, index) => ({ label: `run${index + 1}`, workflowId: started.workflowId, runId })),
        { ...(await currentRun(client, variantWorkflowId(started.campaignId, result.variants![0]!.variantId))), label: 'variant' },
      ];
    },
  },
  {
    name: 'generation',
    shows: 'single generations of every kind: image-to-video, text-to-video, speech; a stuck one DELETEd and resubmitted; a moderated one',
    async run({ api }) {
      await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'stuck ferry' }, fault: 'stuck_queue', times: 1 }] } });
      const starts = {
        'image-to-video': api.generations.startVideo({
          videoId: 'replay-i2v',
          model: 'gen4_turbo',
          promptImage: path.join(examples, 'assets', 'hero-product.jpg'),
          promptText: 'The product turns slowly on a studio table',
          ratio: '16:9',
          duration: 5,
          options: FAST_OPTIONS,
        }),
        'text-to-video': api.generations.startVideo({
          videoId: 'replay-t2v',
          model: 'gen4.5',
          promptText: 'Fog rolls over a harbour at dawn',
          ratio: '1280:720',
          duration: 4,
          options: FAST_OPTIONS,
        }),
        speech: api.generations.startSpeech({
          speechId: 'replay-speech',
          promptText: 'Light from the sun is a mix of every colour.',
          voice: 'Maya',
          options: FAST_OPTIONS,
        }),
        resubmitted: api.generations.startVideo({
          videoId: 'replay-resubmitted',
          model: 'gen4.5',
          promptText: 'a stuck ferry in the ice',
          ratio: '1280:720',
          duration: 5,
          options: { ...FAST_OPTIONS, maxPendingWait: '1500ms' },
        }),
        moderated: api.generations.startVideo({
          videoId: 'replay-moderated',
          model: 'gen4.5',
          promptText: 'a forbidden-content scene',
          ratio: '1280:720',
          duration: 5,
          options: FAST_OPTIONS,
        }),
      };
      const captured: CapturedRun[] = [];
      for (const [label, start] of Object.entries(starts)) {
        const handle = await start;
        await handle.result().catch(() => undefined);
        captured.push({ label, workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
      }
      return captured;
    },
  },
  {
    name: 'broll',
    shows:
      'examples/broll/harbour-town.yaml (photographs animated, two takes a segment): every take to review, one segment rejected with a new prompt (its next round of takes), a take selected for each, finalized',
    async run({ api }) {
      await resetSimulator();
      const { input, baseDir } = await example('broll/harbour-town.yaml');
      const { projectId, workflowId, runId } = await api.broll.start(input as never, baseDir);
      const allAwaitingReview = () =>
        pollUntil(
          `${projectId}: every segment awaiting review`,
          () => api.broll.progress(projectId),
          (progress) => progress.counts.generating === 0 && progress.pendingDecisions.length === progress.items.length,
          120_000,
        );
      const first = await allAwaitingReview();
      const rejected = first.items[1]!.key;
      await api.broll.reject(projectId, rejected, 'Women salting herring on a wooden quay, 1970s 16 mm film');
      const reviewed = await allAwaitingReview();
      // Each segment's last finished take of its current round.
      const selections = reviewed.items.map((item) => ({
        key: item.key,
        action: 'select' as const,
        take: item.takes.filter((take) => take.state === 'ready').at(-1)!.take,
      }));
      await api.broll.review(projectId, selections);
      await api.broll.finalize(projectId);
      await api.broll.waitForResult(projectId);
      const secondRound = reviewed.items.find((item) => item.key === rejected)!.takes[0]!;
      return [
        { label: 'project', workflowId, runId },
        { ...(await currentRun(api.client, secondRound.generationId)), label: 'segment-round2-take' },
      ];
    },
  },
  {
    name: 'explainer',
    shows: 'examples/explainer/why-the-sky-is-blue.yaml without review: a clip and a voiceover per chunk, assembled into one MP4',
    async run({ api, client }) {
      await resetSimulator();
      const { input, baseDir } = await example('explainer/why-the-sky-is-blue.yaml');
      const started = await api.explainers.start({ ...input, review: false } as never, baseDir);
      const result = await api.explainers.waitForResult(started.explainerId);
      const firstChunk = result.chunks[0]!.chunkId;
      return [
        { label: 'explainer', workflowId: started.workflowId, runId: started.runId },
        { ...(await currentRun(client, chunkWorkflowId(started.explainerId, firstChunk, 'voice'))), label: 'voiceover' },
      ];
    },
  },
  {
    name: 'explainer-review',
    shows:
      "examples/explainer/why-the-sky-is-blue.yaml as shipped (review: true): a chunk's clip moderated and waiting, then rejected with a new prompt (its round 2), another's voiceover redone with new text, every chunk approved, finalized into the MP4 and its package",
    async run({ api }) {
      // The first clip Runway is asked for is moderated: its chunk waits for the teacher instead of failing the explainer.
      await resetSimulator({ faults: { rules: [{ match: { endpoint: 'image_to_video' }, fault: 'moderation', times: 1 }] } });
      const { input, baseDir } = await example('explainer/why-the-sky-is-blue.yaml');
      const started = await api.explainers.start({ ...input, explainerId: 'replay-explainer-review' } as never, baseDir);
      const { explainerId } = started;
      const everythingIn = () =>
        pollUntil(
          `${explainerId}: nothing generating`,
          () => api.explainers.progress(explainerId),
          (progress) => progress.state === 'awaiting-review' && progress.counts.generating === 0,
          120_000,
        );
      const first = await everythingIn();
      const failed = first.items.find((item) => item.state === 'failed')?.key;
      if (!failed) throw new Error(`${explainerId}: no chunk's clip was moderated`);
      const revoiced = first.items.find((item) => item.key !== failed)!.key;
      await api.explainers.reject(
        explainerId,
        failed,
        'White sunlight splitting into a rainbow of colour waves, clean flat vector illustration',
      );
      await api.explainers.revoice(explainerId, revoiced, 'So blue light reaches us from all over the sky.');
      await everythingIn();
      await api.explainers.approve(explainerId, 'all');
      await api.explainers.finalize(explainerId);
      await api.explainers.waitForResult(explainerId);
      const round2 = (await api.explainers.progress(explainerId)).items.find((item) => item.key === failed)!.takes[0]!;
      return [
        { label: 'explainer', workflowId: started.workflowId, runId: started.runId },
        { ...(await currentRun(api.client, round2.generationId)), label: 'chunk-round2-clip' },
      ];
    },
  },
  {
    name: 'webhook',
    shows: "a generation announcing its end to a webhook whose receiver refuses the first delivery: the delivery's own workflow",
    async run({ api, webhookUrl }) {
      await resetSimulator();
      const handle = await api.generations.startVideo({
        videoId: 'replay-webhook',
        model: 'gen4.5',
        promptText: 'A lighthouse beam sweeps the fog',
        ratio: '1280:720',
        duration: 5,
        options: { ...FAST_OPTIONS, webhook: { url: webhookUrl } },
      });
      await handle.result();
      const delivery = webhookDeliveryWorkflowId(handle.workflowId);
      await api.client.workflow.getHandle(delivery).result();
      return [{ ...(await currentRun(api.client, delivery)), label: 'delivery' }];
    },
  },
  {
    name: 'lease-pool',
    shows: "the task queue's lease pool after every scenario above: grants, releases and workspace reads (still running)",
    async run({ client, taskQueue }) {
      return [{ ...(await currentRun(client, leasePoolWorkflowId(taskQueue))), label: 'pool' }];
    },
  },
];
