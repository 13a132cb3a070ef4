import { cliTexts, runsOn, textsIn, workflowShowJson } from '../helpers/stored-history';
import { randomUUID } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { TermListModerator } from '../../activities/moderation';
import { AesGcmPayloadCodec, codecKeysFromEnv, generateCodecKeyEntry, METADATA_KEY_ID, type CodecKeys } from '../../infra/payload-codec';
import type { CampaignFileInput } from '../../schemas';
import { brollInput } from '../helpers/broll-input';
import { pollUntil } from '../helpers/poll';
import { FAST_OPTIONS, clientFor, startProduct, uniqueTaskQueue, type RunningProduct } from '../helpers/product';
import { resetSimulator } from '../helpers/simulator-admin';
import { temporalConnection, testStack } from '../helpers/stack';

/**
 * Marker words that occur nowhere but in this test's prompts, scripts and transcripts: finding one in what
 * Temporal stores means the text was stored in the clear. BLOCKED is also the moderator's blocked term, so
 * the PromptRejected failure message quotes it.
 */
const MARK = {
  campaign: 'zorblaxian',
  video: 'quendrilite',
  broll: 'brimvanecore',
  transcript: 'tallowickery',
  blocked: 'snarkwidgetry',
} as const;
const markers = Object.values(MARK);

const entryA = generateCodecKeyEntry('key-a');
const entryB = generateCodecKeyEntry('key-b');
const keysA = codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: entryA })!;
const keysBA = codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: `${entryB},${entryA}` })!;
const keysBOnly = codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: entryB })!;

let plain: Client;

beforeAll(async () => {
  await resetSimulator();
  plain = new Client({ connection: await temporalConnection(), namespace: testStack().namespace });
});
afterAll(async () => {
  await plain?.connection.close();
});

function markersIn(text: string | undefined): string[] {
  const lower = (text ?? '').toLowerCase();
  return markers.filter((marker) => lower.includes(marker));
}

/**
 * What anyone with access to the Temporal cluster sees of a run, without the codec: the CLI's
 * `workflow show --output json`, the SDK's fetchHistory, and the raw DescribeWorkflowExecution (memo,
 * userMetadata summaries, search attributes, pending activities and their last failures).
 */
async function rawViews(execution: { workflowId: string; runId: string }): Promise<Record<string, string>> {
  const stack = testStack();
  const stdout = await workflowShowJson(execution);
  const history = await plain.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
  const described = await plain.workflowService.describeWorkflowExecution({
    namespace: stack.namespace,
    execution: { workflowId: execution.workflowId, runId: execution.runId },
  });
  return {
    cli: cliTexts(stdout),
    fetchHistory: textsIn(history).join('\n'),
    describe: textsIn(described).join('\n'),
  };
}

async function expectNothingReadable(taskQueue: string, client: Client, expectedTypes: string[]): Promise<void> {
  const runs = await runsOn(client, taskQueue);
  expect(runs.map((execution) => execution.type)).toEqual(expect.arrayContaining(expectedTypes));
  const leaks: string[] = [];
  for (const execution of runs) {
    for (const [view, text] of Object.entries(await rawViews(execution))) {
      const found = markersIn(text);
      if (found.length > 0) leaks.push(`${view} of ${execution.workflowId}: ${found.join(', ')}`);
    }
  }
  expect(leaks).toEqual([]);
  console.log(`privacy: ${runs.length} runs read raw (CLI, fetchHistory, describe): no prompt, script or transcript text`);
}

function campaignFile(campaignId: string): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: [
      { id: 'hero', promptText: `A ${MARK.campaign} lantern glows on a pier at dusk` },
      { id: 'refused', promptText: `A ${MARK.blocked} scene on a ${MARK.campaign} street` },
    ],
    options: FAST_OPTIONS,
  };
}

describe('with a codec key: nothing in plain text where Temporal stores it, everything read back through the codec', () => {
  let product: RunningProduct;

  beforeAll(async () => {
    product = await startProduct({ name: 'privacy', codecKeys: keysA, deps: { moderator: new TermListModerator([MARK.blocked]) } });
  });
  afterAll(async () => {
    await product?.stop();
  });

  test('a campaign (one variant refused by the pre-screen), a single video, a refused video and a B-roll project', async () => {
    const campaignId = `priv-${randomUUID().slice(0, 8)}`;
    await product.api.campaigns.start(campaignFile(campaignId));
    const video = await product.api.generations.startVideo({
      videoId: `priv-video-${randomUUID().slice(0, 8)}`,
      model: 'gen4.5',
      promptText: `A ${MARK.video} kite over the dunes`,
      ratio: '1280:720',
      duration: 5,
      options: FAST_OPTIONS,
    });
    const refused = await product.api.generations.startVideo({
      videoId: `priv-refused-${randomUUID().slice(0, 8)}`,
      model: 'gen4.5',
      promptText: `A ${MARK.blocked} ${MARK.video} parade`,
      ratio: '1280:720',
      duration: 5,
      options: FAST_OPTIONS,
    });
    const projectId = `priv-broll-${randomUUID().slice(0, 8)}`;
    const broll = brollInput(projectId, [`A ${MARK.broll} harbour in 16 mm`, `A ${MARK.broll} newsroom, warm grain`]);
    await product.api.broll.startPlanned({
      ...broll,
      segments: broll.segments.map((segment, index) => ({ ...segment, text: `The narrator says ${MARK.transcript} part ${index + 1}` })),
    });

    // With the codec the client reads results, failures, progress, memo and summaries back intact.
    const campaign = await product.api.campaigns.waitForResult(campaignId);
    expect(campaign).toMatchObject({ total: 2, archived: 1, failed: 1 });
    const refusedVariant = campaign.variants.find((variant) => variant.variantId === 'refused');
    expect(refusedVariant?.error).toMatchObject({ type: 'PromptRejected' });
    expect(refusedVariant?.error?.message).toContain(MARK.blocked);
    const progress = await product.api.campaigns.progress(campaignId);
    expect(progress.variants.map((variant) => variant.variantId).sort()).toEqual(['hero', 'refused']);

    const videoResult = await video.result();
    expect(videoResult.s3.key).toMatch(/\.mp4$/);
    expect(await product.api.generations.progress(video.workflowId)).toMatchObject({ state: 'archived' });
    const description = await video.describe();
    expect(JSON.stringify(description.memo)).toContain(MARK.video);
    expect(await description.staticSummary()).toContain(MARK.video);

    const failure = await refused.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('PromptRejected');
    expect(cause?.message).toContain(MARK.blocked);

    await pollUntil(
      `${projectId} awaiting review`,
      () => product.api.broll.progress(projectId),
      (state) => state.counts['awaiting-review'] === 2,
      60_000,
    );
    await product.api.broll.approve(projectId, 'all');
    const finalized = await product.api.broll.finalize(projectId);
    expect(finalized).toMatchObject({ projectId, state: 'finalized', missing: [] });
    const projectProgress = await product.api.broll.progress(projectId);
    expect(projectProgress.items.map((segment) => segment.promptText).join(' ')).toContain(MARK.broll);

    // Without the codec: ids, variant names and states, never the text.
    await expectNothingReadable(product.taskQueue, product.client, ['CampaignWorkflow', 'GenerationWorkflow', 'BrollWorkflow']);
    const raw = await rawViews({ workflowId: campaignId, runId: (await product.client.workflow.getHandle(campaignId).describe()).runId });
    expect(raw.cli).toContain(campaignId);
    expect(raw.cli).toContain('binary/encrypted');
  }, 180_000);
});

describe('with a codec key: a schedule stores its campaign encrypted, and its runs are too', () => {
  let product: RunningProduct;

  beforeAll(async () => {
    product = await startProduct({
      name: 'privacy-schedule',
      codecKeys: keysA,
      deps: { moderator: new TermListModerator([MARK.blocked]) },
    });
  });
  afterAll(async () => {
    await product?.stop();
  });

  test('the schedule as Temporal stores it, and the campaign a trigger starts, hold no prompt text', async () => {
    const scheduleId = `priv-schedule-${randomUUID().slice(0, 8)}`;
    await product.api.schedules.createSchedule({ scheduleId, campaign: campaignFile(`${scheduleId}-src`), cron: '0 0 1 1 *' });
    try {
      const stored = await plain.workflowService.describeSchedule({ namespace: testStack().namespace, scheduleId });
      expect(markersIn(textsIn(stored).join('\n'))).toEqual([]);
      await product.api.schedules.trigger(scheduleId);
      const started = await pollUntil(
        'the triggered run',
        async () => (await product.api.schedules.describeSchedule(scheduleId)).recentRuns,
        (runs) => runs.length === 1,
        30_000,
      );
      const result = await product.api.campaigns.waitForResult(started[0]!.workflowId);
      expect(result).toMatchObject({ total: 2, archived: 1, failed: 1 });
      await expectNothingReadable(product.taskQueue, product.client, ['CampaignWorkflow', 'GenerationWorkflow']);
    } finally {
      await product.client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch(() => undefined);
    }
  }, 120_000);
});

describe('without a codec key (the SDK defaults): the detector sees the prompt in plain text', () => {
  test('a single video: its prompt is in the raw history, memo and summary', async () => {
    const product = await startProduct({ name: 'privacy-off' });
    try {
      const video = await product.api.generations.startVideo({
        videoId: `plain-${randomUUID().slice(0, 8)}`,
        model: 'gen4.5',
        promptText: `A ${MARK.video} balloon`,
        ratio: '1280:720',
        duration: 5,
        options: FAST_OPTIONS,
      });
      await video.result();
      const raw = await rawViews({ workflowId: video.workflowId, runId: video.firstExecutionRunId });
      expect(markersIn(raw.cli)).toEqual([MARK.video]);
      expect(markersIn(raw.fetchHistory)).toEqual([MARK.video]);
      expect(markersIn(raw.describe)).toEqual([MARK.video]);
    } finally {
      await product.stop();
    }
  }, 120_000);
});

/** The payload of the run's first WorkflowExecutionStarted input and its completion result. */
async function inputAndResultPayloads(workflowId: string): Promise<{ input: Payload; result: Payload }> {
  const history = await plain.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const started = events.find((event) => event.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes;
  const completed = events.find((event) => event.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
  return {
    input: started?.input?.payloads?.[0] as Payload,
    result: (completed as temporal.api.history.v1.IWorkflowExecutionCompletedEventAttributes | undefined)?.result?.payloads?.[0] as Payload,
  };
}

const keyIdOf = (payload: Payload) => Buffer.from(payload.metadata?.[METADATA_KEY_ID] ?? []).toString('utf8');

describe('rotation', () => {
  test('a video started under key A finishes after the workers restart with B,A (B primary); B payloads need B', async () => {
    // Generations of 5 s real: the video is mid-generation when the first workers stop.
    await resetSimulator({ generationSeconds: { kind: 'fixed', seconds: 3_000 } });
    const taskQueue = uniqueTaskQueue('rotation');
    const underA = await startProduct({ name: 'rotation', taskQueue, codecKeys: keysA });
    let underBA: RunningProduct | undefined;
    try {
      const video = await underA.api.generations.startVideo({
        videoId: `rot-${randomUUID().slice(0, 8)}`,
        model: 'gen4.5',
        promptText: `A ${MARK.video} lighthouse in a storm`,
        ratio: '1280:720',
        duration: 5,
        options: FAST_OPTIONS,
      });
      await pollUntil(
        'the video is generating',
        () => underA.api.generations.progress(video.workflowId),
        (progress) => progress.state === 'running' && progress.runwayTaskId !== undefined,
        30_000,
      );
      await underA.stop();

      underBA = await startProduct({ name: 'rotation', taskQueue, codecKeys: keysBA });
      const result = await underBA.api.generations.waitForResult(video.workflowId);
      expect(result.s3.key).toMatch(/\.mp4$/);
      expect(result.submissions).toBe(1);

      const { input, result: resultPayload } = await inputAndResultPayloads(video.workflowId);
      expect(keyIdOf(input)).toBe('key-a');
      expect(keyIdOf(resultPayload)).toBe('key-b');
      // Every key decrypts what the primary of its time wrote; a process holding A alone cannot read B's.
      await expect(new AesGcmPayloadCodec(keysBA).decode([input, resultPayload])).resolves.toHaveLength(2);
      await expect(new AesGcmPayloadCodec(keysA).decode([resultPayload])).rejects.toThrow(/key "key-b", which this process does not have/);
      await expect(new AesGcmPayloadCodec(keysBOnly).decode([input])).rejects.toThrow(/key "key-a"/);
      const onlyA = await clientFor(taskQueue, { codecKeys: keysA });
      try {
        await expect(onlyA.generations.waitForResult(video.workflowId)).rejects.toThrow(/key-b/);
      } finally {
        await onlyA.close();
      }
      const withBA = await clientFor(taskQueue, { codecKeys: keysBA });
      try {
        expect(await withBA.generations.waitForResult(video.workflowId)).toEqual(result);
      } finally {
        await withBA.close();
      }
      expect(markersIn((await rawViews({ workflowId: video.workflowId, runId: video.firstExecutionRunId })).cli)).toEqual([]);
    } finally {
      await underBA?.stop();
      await underA.stop().catch(() => undefined);
    }
  }, 180_000);
});

// The codec keys of this file, unused elsewhere: a key id is metadata, never the key.
test('a stored payload names its key id, not the key', async () => {
  const [encoded] = await new AesGcmPayloadCodec(keysA as CodecKeys).encode([{ metadata: {}, data: Buffer.from(`"${MARK.video}"`) }]);
  const text = textsIn(encoded).join('\n');
  expect(text).toContain('key-a');
  expect(text).not.toContain(entryA.split(':')[1]!);
  expect(markersIn(text)).toEqual([]);
});
