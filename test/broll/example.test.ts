import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningReviewServer } from '../../client/review/review-server';
import type { BrollProgress, BrollResult } from '../../schemas';
import { headlessBrowser } from '../helpers/headless-browser';
import { readWithOtio } from '../helpers/otio';
import { selectOnPage, startReviewPage } from '../helpers/review-page';
import { pollUntil } from '../helpers/poll';
import { startProduct, type RunningProduct } from '../helpers/product';
import { objectSha256 } from '../helpers/s3-object';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { cliJson, cliOk, cliStatusUntil, productEnv, runCli } from '../helpers/worker-process';

const example = path.resolve(__dirname, '../../examples/broll/harbour-town.yaml');
let product: RunningProduct;
let env: NodeJS.ProcessEnv;
let workDir: string;

beforeAll(async () => {
  product = await startProduct({ name: 'broll-example' });
  env = productEnv(product.taskQueue);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-broll-example-'));
});
afterAll(async () => {
  await product.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const cli = (args: string[]) => cliOk(args, env);

/** The review page served over the product's clients, as `broll review-server` serves it. */
let server: RunningReviewServer;
const browser = headlessBrowser({ viewport: { width: 1400, height: 1000 } });
beforeAll(async () => {
  server = await startReviewPage(product);
});
afterAll(async () => {
  await browser.close();
  await server?.close();
});

const PHOTO_SEGMENTS = ['s01', 's02', 's05', 's06'];

test('the example end to end: photographs animated, two takes a segment, chosen on the page and with the CLI, finalized, exported to a folder whose XML and EDL OpenTimelineIO reads back with every clip linked', async () => {
  await resetSimulator();
  const started = await cliJson<{ projectId: string }>(['broll', 'start', '--file', example, '--json'], env);
  const projectId = started.projectId;
  expect(projectId).toBe('saltmarsh-harbour');

  const awaiting = await cliStatusUntil<BrollProgress>(
    'broll',
    projectId,
    env,
    'every take in, every segment awaiting review',
    (progress) => progress.state === 'awaiting-review' && progress.pendingDecisions.length === 8 && progress.contactSheet !== undefined,
  );
  expect(awaiting.items.map((item) => item.takes.map((take) => take.output?.durationSeconds))).toEqual(
    [5, 7, 4, 8, 6, 7, 5, 9].map((seconds) => [seconds, seconds]),
  );
  expect(awaiting.items.filter((item) => item.photo).map((item) => item.key)).toEqual(PHOTO_SEGMENTS);
  // Each photograph uploaded to Runway once, and used by both of its segment's takes.
  let stats = await simulatorStats();
  expect(stats.uploads.completed).toBe(4);
  expect(Object.values(stats.uploads.usesByUri)).toEqual([2, 2, 2, 2]);
  expect(stats.submissions.total).toBe(16);

  // What the Web UI filters on: the project by its state, its takes by WorkloadId.
  const listed = async (query: string) => {
    const ids: string[] = [];
    for await (const execution of product.client.workflow.list({ query })) ids.push(execution.workflowId);
    return ids.sort();
  };
  await pollUntil(
    'the project under ProjectState="awaiting-review"',
    () => listed('ProjectState="awaiting-review"'),
    (ids) => ids.includes(projectId),
  );
  const takeRuns = await pollUntil(
    'its takes under WorkloadId',
    () => listed(`WorkloadId="${projectId}" AND WorkflowType="GenerationWorkflow"`),
    (ids) => ids.length === 16,
  );
  expect(takeRuns.slice(0, 2)).toEqual(['saltmarsh-harbour--s01', 'saltmarsh-harbour--s01--t2']);

  // The page: the contact sheet first; take 2 of s01–s04 selected there.
  const page = await browser.page();
  await page.goto(`${server.url}projects/${projectId}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#contact-sheet');
  expect(await page.locator('.take video').count()).toBe(16);
  for (const segmentId of ['s01', 's02', 's03', 's04']) {
    await selectOnPage(page, segmentId, 2);
  }
  // The CLI: take 1 of the rest; approve is refused where two takes finished.
  const approveRun = await runCli(['broll', 'approve', projectId, 's05'], env);
  expect(approveRun.code).toBe(2);
  expect(approveRun.stderr).toMatch(/segment s05 has 2 finished takes \(1, 2\): select one by its take number/);
  for (const segmentId of ['s05', 's06', 's07', 's08']) await cli(['broll', 'select', projectId, segmentId, '--take', '1', '--json']);

  const sheetFile = path.join(workDir, 'contact-sheet.jpg');
  const sheet = await cliJson<{ key: string; takes: number }>(['broll', 'contact-sheet', projectId, '--out', sheetFile, '--json'], env);
  expect(sheet).toMatchObject({ key: 'broll/saltmarsh-harbour/contact-sheet.jpg', takes: 16 });
  expect(
    fs
      .readFileSync(sheetFile)
      .subarray(0, 3)
      .equals(Buffer.from([0xff, 0xd8, 0xff])),
  ).toBe(true);

  const result = await cliJson<BrollResult>(['broll', 'finalize', projectId, '--json'], env);
  expect(result).toMatchObject({ projectId, state: 'finalized', missing: [] });
  expect(result.entries.map((entry) => entry.clipName)).toEqual(
    ['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08'].map((id, index) => `saltmarsh-harbour-${id}-t${index < 4 ? 2 : 1}.mp4`),
  );
  expect(result.editList.xmlKey).toBe('broll/saltmarsh-harbour/edit-list.xml');
  for (const entry of result.entries) expect((await objectSha256(entry.clipKey!)).sha256).toBe(entry.sha256);
  stats = await simulatorStats();
  expect(stats.submissions.total).toBe(16);
  expect(result.credits).toBe(stats.credits.net);

  // The export: the selected takes downloaded (sha256 checked) beside an FCP XML, an EDL and a CSV.
  const dir = path.join(workDir, 'export');
  const exported = await cliJson<{ clips: Array<{ file: string }>; xml: string; edl: string }>(
    ['broll', 'export', projectId, '--dir', dir, '--json'],
    env,
  );
  expect(fs.readdirSync(dir).sort()).toEqual(
    [...result.entries.map((entry) => entry.clipName!), 'saltmarsh-harbour.csv', 'saltmarsh-harbour.edl', 'saltmarsh-harbour.xml'].sort(),
  );
  const xml = await readWithOtio(exported.xml, 'fcp_xml', 25);
  const clips = xml.tracks.filter((track) => track.kind === 'Video').flatMap((track) => track.items.filter((item) => item.kind === 'Clip'));
  expect(clips).toHaveLength(8);
  for (const [index, clip] of clips.entries()) {
    const entry = result.entries[index]!;
    expect(clip.name).toBe(entry.clipName!.replace(/\.mp4$/, ''));
    expect(clip.recordIn).toBe(Math.round((entry.recordInMs * 25) / 1000));
    expect(clip.sourceDuration).toBe(clip.duration);
    const file = decodeURIComponent(new URL(clip.targetUrl!).pathname);
    expect(file).toBe(path.join(dir, entry.clipName!));
    expect(fs.existsSync(file)).toBe(true);
  }
  const edl = await readWithOtio(exported.edl, 'cmx_3600', 25);
  const edlClips = edl.tracks[0]!.items.filter((item) => item.kind === 'Clip');
  expect(edlClips.map((clip) => [clip.name, clip.duration === clip.sourceDuration, fs.existsSync(clip.targetUrl!)])).toEqual(
    result.entries.map((entry) => [entry.clipName, true, true]),
  );
  // Exported again for another machine, with DNxHR HQ mezzanines the lists link instead.
  const mezzanineDir = path.join(workDir, 'export-dnxhr');
  const rooted = JSON.parse(
    await cli([
      'broll',
      'export',
      projectId,
      '--dir',
      mezzanineDir,
      '--media-root',
      '/Volumes/Edit/saltmarsh',
      '--mezzanine',
      'dnxhr',
      '--json',
    ]),
  ) as { clips: Array<{ mezzanine: string }>; xml: string };
  const rootedClips = (await readWithOtio(rooted.xml, 'fcp_xml', 25)).tracks[0]!.items.filter((item) => item.kind === 'Clip');
  expect(rootedClips[0]!.targetUrl).toBe('file://localhost/Volumes/Edit/saltmarsh/saltmarsh-harbour-s01-t2-dnxhr.mov');
  expect(rooted.clips.every((clip) => fs.existsSync(clip.mezzanine))).toBe(true);
}, 300_000);
