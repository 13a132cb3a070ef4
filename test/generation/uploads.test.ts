import { textsIn } from '../helpers/stored-history';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CampaignFileInput, RunwayUploadRef } from '../../schemas';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createUploadPromptImage } from '../../activities/upload-image';
import { createSafeFetch } from '../../infra/safe-fetch';
import { startHttpsServer, testServerCertificates } from '../helpers/https-server';
import { resolveRequest } from '../../client/stage-image';
import { FAST_OPTIONS, startProduct, testActivityDeps, type RunningProduct } from '../helpers/product';
import { s3Client, testStack } from '../helpers/stack';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';

const heroImage = path.resolve(__dirname, '../../examples/assets/hero-product.jpg');
let product: RunningProduct;
let workDir: string;

beforeAll(async () => {
  product = await startProduct({ name: 'uploads' });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uploads-test-'));
});
afterAll(async () => {
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function historyText(workflowId: string): Promise<string> {
  return textsIn(await product.client.workflow.getHandle(workflowId).fetchHistory()).join('\n');
}

/** A valid JPEG of about `bytes`: the hero image with COM segments of padding after its SOI marker. */
function paddedJpeg(bytes: number): Buffer {
  const hero = fs.readFileSync(heroImage);
  const segments: Buffer[] = [hero.subarray(0, 2)];
  let size = hero.length;
  while (size < bytes) {
    const payload = Math.min(65_533, bytes - size);
    const segment = Buffer.alloc(4 + payload, 0x41);
    segment.writeUInt16BE(0xfffe, 0);
    segment.writeUInt16BE(payload + 2, 2);
    segments.push(segment);
    size += segment.length;
  }
  segments.push(hero.subarray(2));
  return Buffer.concat(segments);
}

function imageCampaign(campaignId: string, image: string, count: number): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4_turbo', ratio: '1280:720', duration: 5, promptImage: image },
    variants: Array.from({ length: count }, (_, index) => ({ id: `v${index + 1}`, promptText: `The product, take ${index + 1}` })),
    options: FAST_OPTIONS,
  };
}

test('a campaign of 5 variants with one local image uploads it once; all 5 creates name the same runway:// URI; no image bytes in history', async () => {
  await resetSimulator();
  const started = await product.api.campaigns.start(imageCampaign('uploads-once', heroImage, 5));
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  expect(result).toMatchObject({ total: 5, archived: 5 });
  const stats = await simulatorStats();
  const heroBytes = fs.statSync(heroImage).size;
  expect(stats.uploads).toMatchObject({ issued: 1, completed: 1, bytes: heroBytes });
  expect(stats.submissions.total).toBe(5);
  const uses = Object.entries(stats.uploads.usesByUri);
  expect(uses).toHaveLength(1);
  expect(uses[0]?.[1]).toBe(5);
  const uri = uses[0]![0];

  const campaignHistory = await historyText('uploads-once');
  const videoHistory = await historyText('uploads-once--v1');
  for (const text of [campaignHistory, videoHistory]) {
    expect(text).toContain(uri);
    expect(text).not.toMatch(/[A-Za-z0-9+/]{300,}/);
    expect(text).not.toContain('data:image');
  }
  expect(campaignHistory.length).toBeLessThan(200_000);
  console.log(
    `uploads: 1 upload of ${heroBytes} bytes for 5 creates; campaign history ${campaignHistory.length} chars, video ${videoHistory.length}`,
  );
}, 120_000);

test("a 20 MB image (past the 5 MB data URI limit, within Runway's 200 MB upload limit) is accepted, uploaded and generated", async () => {
  await resetSimulator();
  const big = path.join(workDir, 'big.jpg');
  fs.writeFileSync(big, paddedJpeg(20 * 1024 * 1024));
  const handle = await product.api.generations.startVideo({
    videoId: 'uploads-big',
    model: 'gen4_turbo',
    promptImage: big,
    promptText: 'The product, large',
    ratio: '16:9',
    duration: 5,
    options: FAST_OPTIONS,
  });
  const result = await handle.result();
  expect(result.submissions).toBe(1);
  const stats = await simulatorStats();
  expect(stats.uploads).toMatchObject({ issued: 1, completed: 1 });
  expect(stats.uploads.largestBytes).toBe(fs.statSync(big).size);
  const history = await historyText(handle.workflowId);
  expect(history).not.toMatch(/[A-Za-z0-9+/]{300,}/);
  expect(history.length).toBeLessThan(200_000);
  console.log(`uploads: ${fs.statSync(big).size} byte image uploaded once; video history ${history.length} chars`);
}, 180_000);

test('a URI too old to reuse is uploaded again before the resubmission (bad_output forces one): 2 uploads, each create its own URI', async () => {
  // Reuse for 4 s only, and a first generation of 6 – 7 s real: fresh at the first submit, stale at the second.
  const staleProduct = await startProduct({ name: 'uploads-stale', deps: { uploadReuseMs: 4_000 } });
  try {
    await resetSimulator({
      generationSeconds: { kind: 'uniform', min: 3600, max: 4200 },
      faults: { rules: [{ match: { promptIncludes: 'stale upload' }, fault: 'bad_output', times: 1 }] },
    });
    const handle = await staleProduct.api.generations.startVideo({
      videoId: 'uploads-stale',
      model: 'gen4_turbo',
      promptImage: heroImage,
      promptText: 'A stale upload of the product',
      ratio: '16:9',
      duration: 5,
      options: { ...FAST_OPTIONS, maxRunningWait: '60s' },
    });
    const result = await handle.result();
    expect(result.submissions).toBe(2);
    const stats = await simulatorStats();
    expect(stats.submissions.total).toBe(2);
    expect(stats.uploads).toMatchObject({ issued: 2, completed: 2 });
    expect(Object.values(stats.uploads.usesByUri)).toEqual([1, 1]);
  } finally {
    await staleProduct.stop();
  }
}, 180_000);

test('an image URL the user asks to re-host: carried as such to the workflow, then fetched and uploaded to Runway once', async () => {
  await resetSimulator();
  // The client keeps the wish with the URL (no staging: the worker fetches it).
  const staged = await resolveRequest(
    { model: 'gen4_turbo', promptImage: 'https://images.example.com/hero.jpg', rehostImage: true, ratio: '1280:720', duration: 5 },
    { s3: s3Client(), bucket: testStack().s3.bucket, prefix: '', workloadId: 'rehost' },
    workDir,
  );
  expect(staged.request.promptImage).toEqual({ kind: 'url', url: 'https://images.example.com/hero.jpg', rehost: true });
  // The worker side, against an HTTPS host of its own on loopback, which this deployment allows.
  const hero = fs.readFileSync(heroImage);
  const certificates = testServerCertificates();
  const server = await startHttpsServer(certificates.server, '127.0.0.1', (_, response) => {
    response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': hero.length });
    response.end(hero);
  });
  const safeFetch = createSafeFetch({ ca: certificates.caPem, allowPrivate: ['127.0.0.1'] });
  try {
    const uploaded: RunwayUploadRef = await new MockActivityEnvironment().run(createUploadPromptImage(testActivityDeps({ safeFetch })), {
      kind: 'url' as const,
      url: `${server.origin}/hero.jpg`,
      rehost: true,
    });
    expect(uploaded.uri).toMatch(/^runway:\/\//);
    const stats = await simulatorStats();
    expect(stats.uploads.completed).toBe(1);
    expect(stats.uploads.bytes).toBe(hero.length);
  } finally {
    await safeFetch.close();
    await server.close();
  }
});

test('rehostImage applies to an https promptImage only: a local file with it is refused before anything starts', async () => {
  const file = path.join(workDir, 'rehost-local.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      ...imageCampaign('rehost-local', heroImage, 1),
      defaults: { ...imageCampaign('x', heroImage, 1).defaults, rehostImage: true },
    }),
  );
  await expect(product.api.campaigns.start(file)).rejects.toThrow(/rehostImage applies to an https promptImage/);
});
