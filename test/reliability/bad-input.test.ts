// One file on purpose: a table of bad inputs, each refused with a clear error before any credit is spent,
// through every entry point (files, the typed client, the CLI, the worker's env); one table reads as one promise.
import { spawn } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { InputError, RunwayTemporal, TemporalUnreachableError, type CampaignFileInput, type VideoStartRequest } from '../../client';
import { MODEL_IDS } from '../../schemas';
import { parseEnv, workerEnvSchema } from '../../schemas/env';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { s3Client, testStack } from '../helpers/stack';
import { productEnv, runCli } from '../helpers/worker-process';

const fixtures = mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
const CAMPAIGN_ID = 'bad-input';
let product: RunningProduct;
const suiteStartedAt = Date.now();

beforeAll(async () => {
  writeFixtures();
  await resetSimulator();
  product = await startProduct({ name: 'bad-input' });
});
afterAll(async () => {
  await product?.stop();
});

/** Files the cases point at: a text file named .jpg, a JPEG past Runway's 200 MB upload limit, broken JSON. */
function writeFixtures(): void {
  writeFileSync(path.join(fixtures, 'not-an-image.jpg'), 'just some text, renamed to .jpg\n');
  // Sparse: 201 MB on paper, a few bytes on disk; the size check comes before any read.
  writeFileSync(path.join(fixtures, 'huge.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
  truncateSync(path.join(fixtures, 'huge.jpg'), 201 * 1024 * 1024);
  writeFileSync(path.join(fixtures, 'broken.json'), '{ "campaignId": "bad-input", "variants": [ ');
  writeFileSync(
    path.join(fixtures, 'unknown-model.json'),
    JSON.stringify({ ...validCampaign(), defaults: { model: 'gen5', ratio: '16:9' } }),
  );
}

function validCampaign(): CampaignFileInput {
  return {
    campaignId: CAMPAIGN_ID,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: [{ id: 'v1', promptText: 'A calm sea at dawn' }],
    options: FAST_OPTIONS,
  };
}

/** A valid campaign changed by `patch` (top level) and started through the typed API. */
function startCampaign(patch: Record<string, unknown>) {
  return product.api.campaigns.start({ ...validCampaign(), ...patch } as CampaignFileInput, fixtures);
}

function campaignWithDefaults(defaults: Record<string, unknown>) {
  return startCampaign({ defaults: { ...validCampaign().defaults, ...defaults } });
}

function startVideo(patch: Record<string, unknown>) {
  return product.api.generations.startVideo({
    videoId: 'bad-video',
    model: 'gen4.5',
    promptText: 'A calm sea at dawn',
    ratio: '1280:720',
    duration: 5,
    options: FAST_OPTIONS,
    ...patch,
  } as VideoStartRequest);
}

const pngDataUri = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

interface BadInput {
  name: string;
  attempt: () => Promise<unknown>;
  /** The error class a caller can branch on. */
  error: typeof InputError | typeof TemporalUnreachableError | typeof Error;
  /** InputError.field: where the problem is. */
  field?: string;
  /** The message names the field and the allowed values or the reason. */
  message: RegExp;
  maxMs?: number;
}

/** The live models, as zod lists them ("gen4.5"|"gen4_turbo"|…): every SDK model, no retired one. */
const ALLOWED_MODELS = new RegExp(MODEL_IDS.map((id) => `"${id.replace(/\./g, '\\.')}"`).join('\\|'));

test('the allowed-model list names current models only', () => {
  expect(ALLOWED_MODELS.source).toContain('"gen4_turbo"');
  expect(ALLOWED_MODELS.source).toContain('"seedance2"');
  expect(ALLOWED_MODELS.source).not.toContain('gen3a_turbo');
});

const cases: BadInput[] = [
  {
    name: 'campaign: unknown model',
    attempt: () => campaignWithDefaults({ model: 'gen5' }),
    error: InputError,
    field: 'defaults.model',
    message: new RegExp(`defaults\\.model: .*${ALLOWED_MODELS.source}`),
  },
  {
    name: 'video: unknown model',
    attempt: () => startVideo({ model: 'gen-9000' }),
    error: InputError,
    field: 'model',
    message: new RegExp(`model: .*${ALLOWED_MODELS.source}`),
  },
  {
    name: 'campaign: a retired model',
    attempt: () => campaignWithDefaults({ model: 'gen3a_turbo' }),
    error: InputError,
    field: 'defaults.model',
    message: /defaults\.model: gen3a_turbo was retired by Runway; use gen4_turbo/,
  },
  {
    name: 'video: a retired model',
    attempt: () => startVideo({ model: 'gen3a_turbo', promptImage: 'https://example.com/a.png' }),
    error: InputError,
    field: 'model',
    message: /model: gen3a_turbo was retired by Runway; use gen4_turbo/,
  },
  {
    name: 'video: gen4.5 image_to_video without the promptText the SDK requires',
    attempt: () => startVideo({ promptText: undefined, promptImage: 'https://example.com/a.png' }),
    error: InputError,
    field: 'promptText',
    message: /promptText is required for gen4\.5 image_to_video/,
  },
  {
    name: 'video: a parameter the model does not take (negativePrompt on gen4.5)',
    attempt: () => startVideo({ negativePrompt: 'blur' }),
    error: InputError,
    field: 'negativePrompt',
    message: /model gen4\.5 does not support negativePrompt/,
  },
  {
    name: 'video: no ratio for a model that needs one',
    attempt: () => startVideo({ ratio: undefined }),
    error: InputError,
    field: 'ratio',
    message: /ratio is required: 16:9, 9:16, 1:1 or pixels like 1280:720/,
  },
  {
    name: 'campaign: ratio not allowed for the model',
    attempt: () => campaignWithDefaults({ ratio: '960:960' }),
    error: InputError,
    field: 'variants[0].ratio',
    message: /variants\[0\]\.ratio: ratio 960:960 is not allowed for gen4\.5 text_to_video; allowed: 1280:720, 720:1280/,
  },
  {
    name: 'video: ratio alias the model lacks',
    attempt: () => startVideo({ model: 'veo3.1', ratio: '1:1', duration: 8 }),
    error: InputError,
    field: 'ratio',
    message: /ratio 1:1 is not allowed for veo3\.1 text_to_video; allowed: 1280:720, 720:1280, 1080:1920, 1920:1080/,
  },
  {
    name: 'campaign: duration out of range',
    attempt: () => campaignWithDefaults({ duration: 12 }),
    error: InputError,
    field: 'variants[0].duration',
    message: /duration 12 is not allowed for gen4\.5; allowed: 2, 3, 4, 5, 6, 7, 8, 9, 10/,
  },
  {
    name: 'video: duration the model does not offer',
    attempt: () => startVideo({ model: 'veo3.1', duration: 5 }),
    error: InputError,
    field: 'duration',
    message: /duration 5 is not allowed for veo3\.1; allowed: 4, 6, 8/,
  },
  {
    name: "campaign: a window wider than Temporal's pending-children limit",
    attempt: () => startCampaign({ options: { maxOpenVideos: 2001 } }),
    error: InputError,
    field: 'options.maxOpenVideos',
    message: /maxOpenVideos is at most 2000 \(Temporal's limit on a workflow's pending child workflows\)/,
  },
  {
    name: 'campaign: empty prompt',
    attempt: () => startCampaign({ variants: [{ id: 'v1', promptText: '   ' }] }),
    error: InputError,
    field: 'variants[0].promptText',
    message: /promptText must not be empty/,
  },
  {
    name: 'video: prompt over 1000 characters',
    attempt: () => startVideo({ promptText: 'x'.repeat(1001) }),
    error: InputError,
    field: 'promptText',
    message: /promptText is 1001 characters; gen4\.5 allows at most 1000 \(UTF-16 code units\)/,
  },
  {
    name: 'video: data URI image over 5 MB',
    attempt: () => startVideo({ model: 'gen4_turbo', ratio: '16:9', promptImage: pngDataUri(Buffer.alloc(4 * 1024 * 1024)) }),
    error: InputError,
    field: 'promptImage',
    message: /promptImage data URI is 5592430 characters; Runway allows at most 5242880 \(5 MB, encoded\)/,
  },
  {
    name: "campaign: local image past Runway's 200 MB upload limit",
    attempt: () => campaignWithDefaults({ model: 'gen4_turbo', ratio: '16:9', promptImage: 'huge.jpg' }),
    error: InputError,
    field: 'promptImage',
    message: /image huge\.jpg is 210763776 bytes; Runway's uploads take at most 209715200 bytes \(200 MB\)/,
  },
  {
    name: 'campaign: a text file renamed .jpg',
    attempt: () => campaignWithDefaults({ model: 'gen4_turbo', ratio: '16:9', promptImage: 'not-an-image.jpg' }),
    error: InputError,
    field: 'promptImage',
    message: /not-an-image\.jpg is not a PNG, JPEG or WebP image/,
  },
  {
    name: 'video: a data URI whose bytes are not an image',
    attempt: () => startVideo({ model: 'gen4_turbo', ratio: '16:9', promptImage: pngDataUri(Buffer.from('hello, not a png')) }),
    error: InputError,
    field: 'promptImage',
    message: /the data URI is not a PNG, JPEG or WebP image/,
  },
  {
    name: 'campaign: image file missing',
    attempt: () => campaignWithDefaults({ model: 'gen4_turbo', ratio: '16:9', promptImage: 'missing.png' }),
    error: InputError,
    field: 'promptImage',
    message: /image file not found: missing\.png/,
  },
  {
    name: 'video: http:// image URL',
    attempt: () => startVideo({ model: 'gen4_turbo', ratio: '16:9', promptImage: 'http://cdn.example.com/hero.jpg' }),
    error: InputError,
    field: 'promptImage',
    message: /promptImage URL must use https \(got http\)/,
  },
  {
    name: 'campaign: IPv4 image URL',
    attempt: () => campaignWithDefaults({ model: 'gen4_turbo', ratio: '16:9', promptImage: 'https://203.0.113.7/hero.jpg' }),
    error: InputError,
    field: 'defaults.promptImage',
    message: /promptImage URL must use a domain name, not an IP address/,
  },
  {
    name: 'video: IPv6 image URL',
    attempt: () => startVideo({ model: 'gen4_turbo', ratio: '16:9', promptImage: 'https://[::1]/hero.jpg' }),
    error: InputError,
    field: 'promptImage',
    message: /promptImage URL must use a domain name, not an IP address/,
  },
  {
    name: 'campaign: duplicate variant ids',
    attempt: () =>
      startCampaign({
        variants: [
          { id: 'v1', promptText: 'one' },
          { id: 'v1', promptText: 'two' },
        ],
      }),
    error: InputError,
    field: 'variants[1].id',
    message: /variants\[1\]\.id: duplicate variant id "v1"/,
  },
  {
    name: 'campaign: campaignId "../x" (path traversal)',
    attempt: () => startCampaign({ campaignId: '../x' }),
    error: InputError,
    field: 'campaignId',
    message: /campaignId must be 1-64 characters of letters, digits, "_" or "-"/,
  },
  {
    name: 'campaign: variant id "a/b"',
    attempt: () => startCampaign({ variants: [{ id: 'a/b', promptText: 'one' }] }),
    error: InputError,
    field: 'variants[0].id',
    message: /variant id must be 1-64 characters of letters, digits, "_" or "-"/,
  },
  {
    name: 'video: videoId "../etc"',
    attempt: () => startVideo({ videoId: '../etc' }),
    error: InputError,
    field: 'videoId',
    message: /videoId must be 1-64 characters of letters, digits, "_" or "-"/,
  },
  {
    name: 'campaign: negative budget',
    attempt: () => startCampaign({ options: { budgetCredits: -100 } }),
    error: InputError,
    field: 'options.budgetCredits',
    message: /options\.budgetCredits must not be negative/,
  },
  {
    name: 'campaign: gen4_turbo without the image it requires',
    attempt: () => campaignWithDefaults({ model: 'gen4_turbo', ratio: '16:9' }),
    error: InputError,
    field: 'variants[0].promptImage',
    message: /model gen4_turbo needs promptImage \(it has no text-to-video endpoint\); text-only models: gen4\.5, veo3\.1, veo3\.1_fast/,
  },
  {
    name: 'campaign: missing campaignId',
    attempt: () => startCampaign({ campaignId: undefined }),
    error: InputError,
    field: 'campaignId',
    message: /campaignId: campaignId is required/,
  },
  {
    name: 'campaign: typo in a variant field (strict)',
    attempt: () => startCampaign({ variants: [{ id: 'v1', promtText: 'one' }] }),
    error: InputError,
    field: 'variants[0]',
    message: /unknown field "promtText"; allowed: id, promptText, overrides/,
  },
  {
    name: 'video: unknown request field (strict)',
    attempt: () => startVideo({ promptTxt: 'typo' }),
    error: InputError,
    message:
      /unknown field "promptTxt"; allowed: model, promptText, promptImage, ratio, duration, seed, audio, negativePrompt, resolution, contentModeration/,
  },
  {
    name: 'campaign file: not JSON',
    attempt: () => product.api.campaigns.start(path.join(fixtures, 'broken.json')),
    error: InputError,
    field: 'file',
    message: /broken\.json is not valid JSON/,
  },
  {
    name: 'campaign file: missing',
    attempt: () => product.api.campaigns.start(path.join(fixtures, 'nope.json')),
    error: InputError,
    field: 'file',
    message: /cannot read campaign file .*nope\.json/,
  },
  {
    name: 'campaign: maxPendingWait "abc"',
    attempt: () => startCampaign({ options: { maxPendingWait: 'abc' } }),
    error: InputError,
    field: 'options.maxPendingWait',
    message: /options\.maxPendingWait: must be a duration like "8s", "250ms", "20m" or "1h", or a number of milliseconds \(got "abc"\)/,
  },
  {
    name: 'video: pollInterval "soon"',
    attempt: () => startVideo({ options: { pollInterval: 'soon' } }),
    error: InputError,
    field: 'pollInterval',
    message: /pollInterval: must be a duration like "8s"/,
  },
  {
    name: 'video: seed out of range',
    attempt: () => startVideo({ seed: 2 ** 32 }),
    error: InputError,
    field: 'seed',
    message: /seed must be a whole number from 0 to 4294967295/,
  },
  {
    name: 'video: audio on a model without it',
    attempt: () => startVideo({ audio: true }),
    error: InputError,
    field: 'audio',
    message: /model gen4\.5 does not support audio/,
  },
  {
    name: 'campaign: archive prefix with ".."',
    attempt: () => startCampaign({ archive: { prefix: 'tenant-a/../tenant-b/' } }),
    error: InputError,
    field: 'archive.prefix',
    message: /archive\.prefix must not contain "\." or "\.\." segments/,
  },
  {
    name: 'video: archive prefix "../"',
    attempt: () => startVideo({ archive: { prefix: '../escape/' } }),
    error: InputError,
    field: 'prefix',
    message: /archive\.prefix must not contain "\." or "\.\." segments/,
  },
  {
    name: 'env: S3_PREFIX with ".."',
    attempt: () => RunwayTemporal.fromEnv({ ...productEnv(product.taskQueue), S3_PREFIX: 'a/../../b' }),
    error: Error,
    message: /invalid configuration:\n {2}S3_PREFIX: archive\.prefix must not contain "\." or "\.\." segments/,
  },
  {
    name: 'worker env: no RUNWAYML_API_SECRET',
    attempt: async () => parseEnv(workerEnvSchema, withoutSecret(productEnv(product.taskQueue))),
    error: Error,
    message:
      /invalid configuration:\n {2}RUNWAYML_API_SECRET: RUNWAYML_API_SECRET is not set: export it, or run `npm run stack` to use the simulator/,
  },
  {
    name: 'Temporal unreachable (RunwayTemporal.fromEnv at 127.0.0.1:1)',
    attempt: () => RunwayTemporal.fromEnv({ ...productEnv(product.taskQueue), TEMPORAL_ADDRESS: '127.0.0.1:1' }),
    error: TemporalUnreachableError,
    message: /^cannot reach Temporal at 127\.0\.0\.1:1 \(.+\); start it with `npm run stack` or set TEMPORAL_ADDRESS$/,
    maxMs: 10_000,
  },
];

function withoutSecret(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { RUNWAYML_API_SECRET: _secret, ...rest } = env;
  return rest;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected the bad input to be refused, but it was accepted');
  return error;
}

test('the table covers at least 20 kinds of bad input', () => {
  expect(cases.length).toBeGreaterThanOrEqual(20);
});

test.each(cases.map((badInput) => [badInput.name, badInput] as const))('%s → a specific, clear error', async (_name, badInput) => {
  const startedAt = Date.now();
  const error = await rejection(badInput.attempt());
  expect(error).toBeInstanceOf(badInput.error);
  if (badInput.field !== undefined) expect((error as InputError).field).toBe(badInput.field);
  expect(error.message).toMatch(badInput.message);
  if (badInput.maxMs !== undefined) expect(Date.now() - startedAt).toBeLessThan(badInput.maxMs);
});

describe('the CLI: a non-zero exit and one clear line on stderr', () => {
  test('campaign file with an unknown model → exit 2', async () => {
    const run = await runCli(
      ['campaign', 'start', '--file', path.join(fixtures, 'unknown-model.json'), '--json'],
      productEnv(product.taskQueue),
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^error: invalid campaign: defaults\\.model: Invalid option: expected one of ${ALLOWED_MODELS.source}$`),
      ),
    ]);
  });

  test('campaign file that is not JSON → exit 2', async () => {
    const run = await runCli(['campaign', 'start', '--file', path.join(fixtures, 'broken.json'), '--json'], productEnv(product.taskQueue));
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^error: file: .*broken\.json is not valid JSON/)]);
  });

  test('Temporal unreachable → exit 1 naming the address (a valid file: input is checked first)', async () => {
    const run = await runCli(['campaign', 'start', '--file', path.resolve(__dirname, '../../examples/product-hero.json'), '--json'], {
      ...productEnv(product.taskQueue),
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^error: cannot reach Temporal at 127\.0\.0\.1:1 .*set TEMPORAL_ADDRESS$/),
    ]);
  });

  test('the worker without RUNWAYML_API_SECRET exits 1 and says how to fix it', async () => {
    const run = await runWorker(withoutSecret(productEnv(product.taskQueue)));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^worker failed: invalid configuration:\n {2}RUNWAYML_API_SECRET: RUNWAYML_API_SECRET is not set: export it, or run `npm run stack`/,
    );
  });
});

/** The real worker entry point with this environment, to its exit. */
function runWorker(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

test('nothing reached Runway, Temporal or S3: 0 POSTs, no workflow, no staged object', async () => {
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(0);
  expect((stats as unknown as { requests: { creates: number } }).requests.creates).toBe(0);
  const workflows = [];
  for await (const workflow of product.client.workflow.list({ query: `TaskQueue = "${product.taskQueue}"` }))
    workflows.push(workflow.workflowId);
  expect(workflows).toEqual([]);
  const s3 = s3Client();
  try {
    for (const prefix of [`${CAMPAIGN_ID}/`, 'single/bad-video/', 'single/inputs/', 'tenant-a/', 'escape/']) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: testStack().s3.bucket, Prefix: prefix }));
      // Other suites of the same jest run may stage their own images under single/inputs/ earlier.
      const stagedHere = (listed.Contents ?? []).filter((object) => (object.LastModified?.getTime() ?? Infinity) >= suiteStartedAt - 1_000);
      expect({ prefix, keys: stagedHere.map((object) => object.Key) }).toEqual({ prefix, keys: [] });
    }
  } finally {
    s3.destroy();
  }
});
