import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { RunwayTemporal } from '../../client';
import { FailureType } from '../../schemas';
import { failureOf } from '../helpers/failure';
import { FAST_OPTIONS, uniqueTaskQueue } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { startHttpsServer, testServerCertificates, type TestHttpsServer } from '../helpers/https-server';
import { productEnv, spawnWorker, type WorkerProcess } from '../helpers/worker-process';

/**
 * A re-hosted prompt image through the real generation path: the worker process as deployed (worker/main.ts,
 * its env config), the typed client, Temporal, the simulator over HTTP, and an HTTPS image host on loopback
 * standing in for something on the worker's own network.
 */
const hero = fs.readFileSync(path.resolve(__dirname, '../../examples/assets/hero-product.jpg'));
const certificates = testServerCertificates();
let workDir: string;
let imageHost: TestHttpsServer;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehost-guard-'));
  fs.writeFileSync(path.join(workDir, 'ca.pem'), certificates.caPem);
  imageHost = await startHttpsServer(certificates.server, '127.0.0.1', (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': hero.length });
    response.end(hero);
  });
});

afterAll(async () => {
  await imageHost?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** A worker process of its own, the client on its queue; both stopped after `body`. */
async function withWorker(extraEnv: Record<string, string>, body: (api: RunwayTemporal) => Promise<void>): Promise<void> {
  const taskQueue = uniqueTaskQueue('rehost-guard');
  // The worker trusts the image host's test CA the way an operator adds a CA to Node: NODE_EXTRA_CA_CERTS.
  const worker: WorkerProcess = spawnWorker(taskQueue, { NODE_EXTRA_CA_CERTS: path.join(workDir, 'ca.pem'), ...extraEnv });
  let api: RunwayTemporal | undefined;
  try {
    await worker.ready;
    api = await RunwayTemporal.fromEnv(productEnv(taskQueue));
    await body(api);
  } finally {
    await api?.close();
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
}

function rehostedVideo(videoId: string) {
  return {
    videoId,
    model: 'gen4_turbo',
    promptText: 'The product turns on a studio table',
    // localhost: a domain name, as Runway's URL rules ask, that resolves into the worker's own host.
    promptImage: `https://localhost:${imageHost.port}/hero.jpg`,
    rehostImage: true,
    ratio: '1280:720',
    duration: 5,
    options: FAST_OPTIONS,
  };
}

test('a prompt image to re-host from a host that resolves to loopback: the video fails FetchRefused, nothing reaches the host or Runway', async () => {
  await resetSimulator();
  imageHost.seen.length = 0;
  await withWorker({}, async (api) => {
    const handle = await api.generations.startVideo(rehostedVideo(`rehost-refused-${randomUUID().slice(0, 8)}`));
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe(FailureType.FetchRefused);
    expect(failure.message).toMatch(
      new RegExp(
        `^refused to fetch https://localhost:${imageHost.port}: localhost resolves to (127\\.0\\.0\\.1|::1), a loopback address; set RUNWAY_REHOST_ALLOW_PRIVATE`,
      ),
    );
  });
  expect(imageHost.seen).toHaveLength(0);
  const stats = await simulatorStats();
  expect({ creates: stats.requests.creates, uploads: stats.uploads.issued }).toEqual({ creates: 0, uploads: 0 });
}, 120_000);

test('RUNWAY_REHOST_ALLOW_PRIVATE=1: the same video re-hosts the image (one GET, one upload) and is archived', async () => {
  await resetSimulator();
  imageHost.seen.length = 0;
  await withWorker({ RUNWAY_REHOST_ALLOW_PRIVATE: '1' }, async (api) => {
    const handle = await api.generations.startVideo(rehostedVideo(`rehost-allowed-${randomUUID().slice(0, 8)}`));
    const result = await handle.result();
    expect(result.s3.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  expect(imageHost.seen.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /hero.jpg']);
  const stats = await simulatorStats();
  expect({ creates: stats.requests.creates, uploads: stats.uploads.completed, bytes: stats.uploads.bytes }).toEqual({
    creates: 1,
    uploads: 1,
    bytes: hero.length,
  });
}, 120_000);

test('an allow list entry that is no address or range stops the worker at start, naming it', async () => {
  const worker = spawnWorker(uniqueTaskQueue('rehost-guard'), { RUNWAY_REHOST_ALLOW_PRIVATE: '10.0.0.0/8,intranet' });
  const exit = await worker.exited;
  expect(exit.code).not.toBe(0);
  expect(worker.output()).toMatch(/RUNWAY_REHOST_ALLOW_PRIVATE.*"intranet" is not an address or CIDR range/);
}, 60_000);
