import { cliTexts, runsOn, textsIn, workflowShowJson } from '../helpers/stored-history';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { request } from 'undici';
import { manifestObjectKey, stagedImageKey, generationObjectKey } from '../../schemas/object-keys';
import { RunwayClient } from '../../activities/runway/client';
import { AesGcmPayloadCodec, codecKeysFromEnv, ENCRYPTED_ENCODING, generateCodecKeyEntry } from '../../infra/payload-codec';
import { InputError, RunwayTemporal, type CampaignFileInput } from '../../client';
import type { CampaignResult, GenerationResult } from '../../schemas';
import { FAST_OPTIONS, exportAwsCredentials, uniqueTaskQueue } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { s3Client, testStack } from '../helpers/stack';
import { productEnv, spawnWorker, type WorkerProcess } from '../helpers/worker-process';

const PREFIX = 'tenant-a/';
const taskQueue = uniqueTaskQueue('security');
const campaignId = `sec-${randomUUID().slice(0, 8)}`;
const singleVideoId = `sec-single-${randomUUID().slice(0, 8)}`;
const assetsDir = path.resolve(__dirname, '../../examples/assets');
/** The deployment encrypts payloads: the worker process and the client share this key. */
const codecKeyEntry = generateCodecKeyEntry('security');
const codec = new AesGcmPayloadCodec(codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: codecKeyEntry })!);

let worker: WorkerProcess;
let api: RunwayTemporal;
let campaignResult: CampaignResult;
let videoResult: GenerationResult;

/** What must never leave the process that holds it: secrets, and the bearer part of signed output URLs. */
function forbidden(): Array<{ what: string; pattern: RegExp }> {
  const stack = testStack();
  const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return [
    { what: 'the Runway API secret', pattern: literal(stack.runwayApiSecret) },
    { what: 'the S3 access key id', pattern: literal(stack.s3.accessKeyId) },
    { what: 'the S3 secret key', pattern: literal(stack.s3.secretAccessKey) },
    { what: 'an Authorization header', pattern: /Bearer\s+\S/ },
    { what: 'a signed output URL path', pattern: /\/media\/[^/\s"]+\/output\.mp4/ },
    { what: 'a signed URL signature', pattern: /[?&]sig=[0-9a-f]{16}/ },
    { what: 'a signed URL expiry', pattern: /[?&]exp=\d{9}/ },
  ];
}

function expectNoSecrets(where: string, text: string): void {
  const found = forbidden()
    .filter(({ pattern }) => pattern.test(text))
    .map(({ what }) => what);
  expect({ where, found }).toEqual({ where, found: [] });
}

beforeAll(async () => {
  await resetSimulator();
  worker = spawnWorker(taskQueue, { LOG_LEVEL: 'DEBUG', PAYLOAD_CODEC_KEYS: codecKeyEntry });
  await worker.ready;
  exportAwsCredentials();
  api = await RunwayTemporal.fromEnv(productEnv(taskQueue, { S3_PREFIX: PREFIX, PAYLOAD_CODEC_KEYS: codecKeyEntry }));
  const campaign: CampaignFileInput = {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '16:9', duration: 5 },
    variants: [
      {
        id: 'hero-image',
        promptText: 'The product turns slowly on a studio table',
        overrides: { model: 'gen4_turbo', promptImage: 'hero-product.jpg' },
      },
      { id: 'text-only', promptText: 'Fog rolls over a harbour at dawn' },
    ],
    options: FAST_OPTIONS,
  };
  await api.campaigns.start(campaign, assetsDir);
  const video = await api.generations.startVideo({
    videoId: singleVideoId,
    model: 'gen4.5',
    promptText: 'A paper boat on a rainy street',
    ratio: '1280:720',
    duration: 5,
    options: FAST_OPTIONS,
  });
  [campaignResult, videoResult] = await Promise.all([api.campaigns.waitForResult(campaignId), video.result()]);
}, 120_000);

afterAll(async () => {
  worker?.child.kill('SIGTERM');
  await worker?.exited;
  await api?.close();
});

/** Every run on this deployment's task queue: the campaign, its children, the single video, the slot pool. */
function allRuns() {
  return runsOn(api.client, taskQueue);
}

/** The strings of every encrypted payload in a history, decrypted: what a holder of the key (or the codec server) reads. */
async function decryptedTextsIn(value: unknown, out: string[] = [], seen = new Set<object>()): Promise<string[]> {
  if (typeof value !== 'object' || value === null || seen.has(value)) return out;
  seen.add(value);
  const payload = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
  if (payload.metadata?.encoding && Buffer.from(payload.metadata.encoding).toString('utf8') === ENCRYPTED_ENCODING) {
    const [decoded] = await codec.decode([payload]);
    out.push(Buffer.from(decoded?.data ?? []).toString('utf8'));
    return out;
  }
  for (const key of Object.keys(value)) await decryptedTextsIn((value as Record<string, unknown>)[key], out, seen);
  return out;
}

test('the campaign (2 variants, one with a staged local image) and the single video archived', () => {
  expect(campaignResult.archived).toBe(2);
  expect(videoResult.s3.key.startsWith(PREFIX)).toBe(true);
});

test('the detector is live: it catches each secret and a real signed output URL from Runway', async () => {
  const stack = testStack();
  const runway = new RunwayClient({ baseUrl: stack.runwayBaseUrl, apiSecret: stack.runwayApiSecret });
  const task = (await runway.getTask(videoResult.runwayTaskId)) as { output?: string[] };
  await runway.close();
  const signedUrl = task.output?.[0] ?? '';
  const caught = (sample: string) =>
    forbidden()
      .filter(({ pattern }) => pattern.test(sample))
      .map(({ what }) => what);
  expect(caught(signedUrl)).toEqual(['a signed output URL path', 'a signed URL signature', 'a signed URL expiry']);
  expect(caught(`{"key":"${stack.runwayApiSecret}"}`)).toEqual(['the Runway API secret']);
  expect(caught(`id=${stack.s3.accessKeyId}`)).toEqual(['the S3 access key id']);
  expect(caught(`"${stack.s3.secretAccessKey}"`)).toEqual(['the S3 secret key']);
});

test('no workflow history holds a secret or a signed URL, in the clear or decrypted (SDK fetchHistory of every run)', async () => {
  const runs = await allRuns();
  expect(runs.map((execution) => execution.type).sort()).toEqual(
    expect.arrayContaining(['CampaignWorkflow', 'GenerationWorkflow', 'GenerationWorkflow', 'GenerationWorkflow']),
  );
  for (const execution of runs) {
    const history = await api.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    expectNoSecrets(`history of ${execution.workflowId} (${execution.runId})`, textsIn(history).join('\n'));
    expectNoSecrets(`decrypted history of ${execution.workflowId} (${execution.runId})`, (await decryptedTextsIn(history)).join('\n'));
  }
  console.log(`security: ${runs.length} workflow runs checked (${[...new Set(runs.map((execution) => execution.type))].join(', ')})`);
  // The payloads really were read: decrypted, the campaign's history carries the prompts and the Runway task
  // ids; stored, it carries the task ids (a search attribute) but never a prompt: payloads are encrypted.
  const campaignHistory = await api.client.workflow.getHandle(campaignId).fetchHistory();
  const decrypted = (await decryptedTextsIn(campaignHistory)).join('\n');
  const stored = textsIn(campaignHistory).join('\n');
  expect(decrypted).toContain('Fog rolls over a harbour at dawn');
  expect(decrypted).toContain(campaignResult.variants[0]?.result?.runwayTaskId ?? 'missing task id');
  expect(stored).not.toContain('Fog rolls over a harbour at dawn');
  expect(stored).toContain(ENCRYPTED_ENCODING);
});

test('`temporal workflow show --output json` of every run holds no secret or signed URL', async () => {
  const runs = await allRuns();
  let shown = '';
  for (const execution of runs) {
    const stdout = await workflowShowJson(execution);
    const text = cliTexts(stdout);
    expectNoSecrets(`temporal workflow show ${execution.workflowId}`, text);
    shown += text;
  }
  // With the codec on, what the CLI shows without it: ids, types, states and Runway task ids (search
  // attributes), never a prompt. Without the codec (test/reliability/privacy.test.ts) the prompts show too.
  expect(shown).not.toContain('A paper boat on a rainy street');
  expect(shown).not.toContain('Fog rolls over a harbour at dawn');
  expect(shown).toContain(videoResult.runwayTaskId);
  expect(shown).toContain(singleVideoId);
});

test("the worker's logs (DEBUG, real process) hold no secret or signed URL, and nothing needed masking", () => {
  const output = worker.output();
  expect(output).toContain('"worker ready"');
  expect(output).toContain('"payloadEncryption":"on"');
  expect(output).toContain('archived video');
  expect(output).not.toContain(codecKeyEntry.split(':')[1]!);
  expectNoSecrets('worker logs', output);
  expect(output).not.toContain('***');
});

test('every object of the run lies under the configured prefix, carries no secret in metadata or tags, and anonymous GETs are denied', async () => {
  const { s3: stackS3 } = testStack();
  const s3 = s3Client();
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stackS3.bucket }));
    const keys = (listed.Contents ?? [])
      .map((object) => object.Key ?? '')
      .filter((key) => key.includes(campaignId) || key.includes(singleVideoId));
    expect(keys.filter((key) => !key.startsWith(PREFIX))).toEqual([]);
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${PREFIX}${campaignId}/inputs/[0-9a-f]{64}\\.jpg$`)),
        expect.stringMatching(new RegExp(`^${PREFIX}${campaignId}/hero-image/[^/]+\\.mp4$`)),
        expect.stringMatching(new RegExp(`^${PREFIX}${campaignId}/text-only/[^/]+\\.mp4$`)),
        `${PREFIX}${campaignId}/manifest.json`,
        videoResult.s3.key,
      ]),
    );
    for (const key of keys) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: stackS3.bucket, Key: key }));
      const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: stackS3.bucket, Key: key }));
      expectNoSecrets(`metadata of ${key}`, JSON.stringify({ metadata: head.Metadata, tags: tags.TagSet }));
      const anonymous = await request(`${stackS3.endpoint}/${stackS3.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`);
      await anonymous.body.dump();
      expect({ key, status: anonymous.statusCode }).toEqual({ key, status: 403 });
    }
    console.log(`security: ${keys.length} objects checked under ${PREFIX}, each 403 to an anonymous GET`);
    const manifest = await s3.send(new GetObjectCommand({ Bucket: stackS3.bucket, Key: `${PREFIX}${campaignId}/manifest.json` }));
    expectNoSecrets('the manifest', await manifest.Body!.transformToString());
  } finally {
    s3.destroy();
  }
  const anonymousList = await request(`${stackS3.endpoint}/${stackS3.bucket}?list-type=2`);
  await anonymousList.body.dump();
  expect(anonymousList.statusCode).toBe(403);
});

test('keys cannot escape the prefix: hostile ids and prefixes are refused before submit, and the key builders refuse them too', async () => {
  const before = (await simulatorStats()).submissions.total;
  const hostile: Array<Partial<CampaignFileInput>> = [
    { campaignId: '..' },
    { campaignId: '../tenant-b' },
    { variants: [{ id: '../../tenant-b/x', promptText: 'escape' }] },
    { variants: [{ id: 'a/b', promptText: 'escape' }] },
    { archive: { prefix: `${PREFIX}../tenant-b/` } },
    { archive: { prefix: '/absolute/' } },
  ];
  for (const patch of hostile) {
    const attempt = api.campaigns.start(
      {
        campaignId: `${campaignId}-x`,
        defaults: { model: 'gen4.5', ratio: '16:9' },
        variants: [{ id: 'v1', promptText: 'escape' }],
        ...patch,
      } as CampaignFileInput,
      assetsDir,
    );
    await expect(attempt).rejects.toBeInstanceOf(InputError);
  }
  await expect(api.generations.startVideo({ videoId: '..', model: 'gen4.5', promptText: 'escape', ratio: '16:9' })).rejects.toBeInstanceOf(
    InputError,
  );
  await expect(
    api.generations.startVideo({ videoId: 'ok', model: 'gen4.5', promptText: 'escape', ratio: '16:9', archive: { prefix: '../' } }),
  ).rejects.toBeInstanceOf(InputError);
  expect((await simulatorStats()).submissions.total).toBe(before);

  // Defence in depth: the activities build keys with these and refuse anything that could leave the prefix.
  expect(() => generationObjectKey(PREFIX, '..', 'v1', 'task')).toThrow(/not a safe object key segment/);
  expect(() => generationObjectKey(PREFIX, 'c1', 'v1', '../../x')).toThrow(/not a safe object key segment/);
  expect(() => generationObjectKey(`${PREFIX}../`, 'c1', 'v1', 'task')).toThrow(/would escape/);
  expect(() => manifestObjectKey('/etc/', 'c1')).toThrow(/would escape/);
  expect(() => stagedImageKey(PREFIX, 'a/b', 'f'.repeat(64), 'jpg')).toThrow(/not a safe object key segment/);
  expect(generationObjectKey(PREFIX, 'c1', 'v1', 'task-1')).toBe(`${PREFIX}c1/v1/task-1.mp4`);
});
