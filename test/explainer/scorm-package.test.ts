import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Frame, Page } from 'playwright-core';
import { chunkTimings, webVtt } from '../../activities/assembly-media';
import { SCORM_FILES, writeScormPackage } from '../../activities/delivery/scorm-package';
import { ffmpegPath } from '../../infra/ffmpeg';
import { headlessBrowser } from '../helpers/headless-browser';
import { readZip, startTestLms, type TestLms } from '../helpers/scorm-lms';

const run = promisify(execFile);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorm-test-'));
const browser = headlessBrowser({ extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
const CLIP_SECONDS = [1.5, 1.5];
const NARRATION = ['Light is a mix of colours & waves.', 'Blue waves scatter <most> in the air.'];

let zipPath: string;
let written: Awaited<ReturnType<typeof writeScormPackage>>;
let entries: Map<string, Buffer>;
let lms: TestLms;

beforeAll(async () => {
  // A real 3 s H.264 + AAC MP4 (moov first), as the assembly writes it.
  const mp4 = path.join(workDir, 'explainer.mp4');
  await run(ffmpegPath(), [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=24', '-f', 'lavfi', '-i', 'sine=frequency=440'],
    ...['-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', mp4],
  ]);
  const cues = chunkTimings(CLIP_SECONDS).map((timing, index) => ({ ...timing, text: NARRATION[index]! }));
  zipPath = path.join(workDir, 'why-the-sky-is-blue.zip');
  written = await writeScormPackage(
    { explainerId: 'why-the-sky-is-blue', title: 'Why the sky is blue', language: 'en', mp4Path: mp4, vtt: webVtt(cues), cues },
    zipPath,
  );
  entries = await readZip(zipPath);
  lms = await startTestLms(entries);
}, 60_000);

afterAll(async () => {
  await browser.close();
  await lms?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const manifestParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['file', 'resource', 'item'].includes(name),
});

test('the zip holds the manifest, the player page and script, the MP4 and the captions, and reports its own bytes', () => {
  const bytes = fs.readFileSync(zipPath);
  expect(written.bytes).toBe(bytes.length);
  expect(written.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect([...entries.keys()].sort()).toEqual(Object.values(SCORM_FILES).sort());
  expect(written.files.sort()).toEqual([...entries.keys()].sort());
  expect(entries.get(SCORM_FILES.video)!.equals(fs.readFileSync(path.join(workDir, 'explainer.mp4')))).toBe(true);
  expect(entries.get(SCORM_FILES.captions)!.toString('utf8')).toMatch(
    /^WEBVTT\n\n1\n00:00:00\.000 --> 00:00:01\.500\nLight is a mix of colours &amp; waves\./,
  );
});

/** The manifest as fast-xml-parser reads it (attributes without a prefix, repeatable elements as arrays). */
interface ParsedManifest {
  manifest: {
    identifier: string;
    xmlns: string;
    'xmlns:adlcp': string;
    metadata: unknown;
    organizations: {
      default: string;
      organization: { identifier: string; title: string; item: Array<{ identifier: string; identifierref: string; title: string }> };
    };
    resources: {
      resource: Array<{ identifier: string; type: string; 'adlcp:scormtype': string; href: string; file: Array<{ href: string }> }>;
    };
  };
}

test('imsmanifest.xml is well-formed SCORM 1.2: one organization whose item launches the one SCO, which lists every file present', () => {
  const xml = entries.get(SCORM_FILES.manifest)!.toString('utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const { manifest } = manifestParser.parse(xml) as ParsedManifest;
  expect(manifest.xmlns).toBe('http://www.imsproject.org/xsd/imscp_rootv1p1p2');
  expect(manifest['xmlns:adlcp']).toBe('http://www.adlnet.org/xsd/adlcp_rootv1p2');
  expect(manifest.metadata).toEqual({ schema: 'ADL SCORM', schemaversion: 1.2 });
  const organization = manifest.organizations.organization;
  expect(manifest.organizations.default).toBe(organization.identifier);
  expect(organization.title).toBe('Why the sky is blue');
  const resources = manifest.resources.resource;
  expect(resources).toHaveLength(1);
  const [sco] = resources;
  expect(organization.item).toEqual([expect.objectContaining({ identifierref: sco!.identifier, title: 'Why the sky is blue' })]);
  expect(sco).toMatchObject({ type: 'webcontent', 'adlcp:scormtype': 'sco', href: SCORM_FILES.launch });
  // Files listed = files present: every file the zip holds but the manifest itself, each once, and nothing else.
  const listed = sco!.file.map((file) => file.href);
  expect(new Set(listed).size).toBe(listed.length);
  expect(listed.sort()).toEqual([...entries.keys()].filter((name) => name !== SCORM_FILES.manifest).sort());
  expect(listed).toContain(sco!.href);
  // Identifiers are xs:ID values, unique in the manifest.
  const ids = [manifest.identifier, organization.identifier, organization.item[0]!.identifier, sco!.identifier];
  for (const id of ids) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9._-]*$/);
  expect(new Set(ids).size).toBe(ids.length);
});

/** What the tests read of the browser's globals (the suite compiles without the DOM library). */
interface Video {
  currentTime: number;
  ended: boolean;
  readyState: number;
  play(): Promise<void>;
  pause(): void;
}
interface LmsWindow {
  API: { cmi: { core: Record<string, string>; suspend_data: string } };
  lmsCalls: Array<{ name: string; element?: string; value?: string }>;
  document: { getElementById(id: string): { remove(): void; src: string; textContent: string } | null };
}

async function sco(page: Page): Promise<Frame> {
  const frame = await (await page.waitForSelector('#sco')).contentFrame();
  if (!frame) throw new Error('the SCO frame did not load');
  await frame.locator('#lesson').evaluate(
    (video) =>
      new Promise<void>((resolve) => {
        const check = () => ((video as unknown as Video).readyState >= 1 ? resolve() : setTimeout(check, 20));
        check();
      }),
  );
  return frame;
}

/**
 * The learner's record as the LMS holds it (scorm-again's CMI) and the calls the SCO made; write-only
 * elements (exit, session time) are read as the last value the SCO set.
 */
async function record(page: Page) {
  const { core, suspendData, calls } = await page.evaluate(() => {
    const { API: api, lmsCalls } = globalThis as unknown as LmsWindow;
    return {
      core: { status: String(api.cmi.core.lesson_status), location: String(api.cmi.core.lesson_location) },
      suspendData: String(api.cmi.suspend_data),
      calls: lmsCalls,
    };
  });
  const lastSet = (element: string) => calls.filter((call) => call.name === 'LMSSetValue' && call.element === element).at(-1)?.value;
  return { ...core, suspendData, calls, exit: lastSet('cmi.core.exit'), sessionTime: lastSet('cmi.core.session_time') ?? '' };
}

test('watched to the end in the LMS, the SCO reports completed, then LMSCommit and LMSFinish when the learner leaves', async () => {
  const page = await browser.page();
  await page.goto(lms.launchUrl(SCORM_FILES.launch));
  const frame = await sco(page);
  await expect(frame.textContent('#lms-status')).resolves.toBe('Your LMS records your progress.');
  await expect(frame.locator('track[kind=captions]').getAttribute('src')).resolves.toBe(SCORM_FILES.captions);
  await expect(frame.locator('#transcript li').allTextContents()).resolves.toEqual([`00:00 ${NARRATION[0]}`, `00:01 ${NARRATION[1]}`]);
  expect((await record(page)).status).toBe('incomplete');

  await frame.locator('#lesson').evaluate((video) => (video as unknown as Video).play());
  await page.waitForFunction(() => (globalThis as unknown as LmsWindow).API.cmi.core.lesson_status === 'completed', undefined, {
    timeout: 15_000,
  });
  expect(await frame.locator('#lesson').evaluate((video) => (video as unknown as Video).ended)).toBe(true);
  expect((await record(page)).calls.map((call) => call.name)).toContain('LMSCommit');

  await page.evaluate(() => (globalThis as unknown as LmsWindow).document.getElementById('sco')!.remove());
  const after = await record(page);
  expect(after.status).toBe('completed');
  expect(after.exit).toBe('');
  expect(after.calls.at(-1)!.name).toBe('LMSFinish');
  expect(after.calls.filter((call) => call.name === 'LMSInitialize')).toHaveLength(1);
}, 60_000);

test('left early, the SCO reports incomplete with the position, exit suspend and the session time, then finishes', async () => {
  const page = await browser.page();
  await page.goto(lms.launchUrl(SCORM_FILES.launch));
  const frame = await sco(page);
  const position = await frame.locator('#lesson').evaluate(async (element) => {
    const video = element as unknown as Video;
    await video.play();
    await new Promise<void>((resolve) => {
      const check = () => (video.currentTime >= 1 ? resolve() : setTimeout(check, 10));
      check();
    });
    video.pause();
    return video.currentTime;
  });
  await page.evaluate(() => ((globalThis as unknown as LmsWindow).document.getElementById('sco')!.src = 'about:blank'));
  await page.waitForFunction(() => (globalThis as unknown as LmsWindow).lmsCalls.some((call) => call.name === 'LMSFinish'));
  const after = await record(page);
  expect(after.status).toBe('incomplete');
  expect(after.exit).toBe('suspend');
  expect(Number(after.location)).toBeCloseTo(position, 1);
  expect(after.sessionTime).toMatch(/^\d{4}:\d{2}:\d{2}\.\d{2}$/);
  const [hours, minutes, seconds] = after.sessionTime.split(':').map(Number);
  expect(hours! * 3600 + minutes! * 60 + seconds!).toBeGreaterThanOrEqual(1);
  expect(after.suspendData).toMatch(/^0\.0-1\.\d$/);
  expect(after.calls.slice(-2).map((call) => call.name)).toEqual(['LMSCommit', 'LMSFinish']);
}, 60_000);

test('resumed, the SCO starts at the saved position and counts what was watched before: the rest completes the lesson', async () => {
  const page = await browser.page();
  await page.goto(
    lms.launchUrl(SCORM_FILES.launch, {
      core: { entry: 'resume', lesson_status: 'incomplete', lesson_location: '1.5' },
      suspend_data: '0.0-1.5',
    }),
  );
  const frame = await sco(page);
  await frame.waitForFunction(
    () =>
      (globalThis as unknown as { document: { getElementById(id: string): Video } }).document.getElementById('lesson').currentTime >= 1.4,
  );
  await frame.locator('#lesson').evaluate((video) => (video as unknown as Video).play());
  await page.waitForFunction(() => (globalThis as unknown as LmsWindow).API.cmi.core.lesson_status === 'completed', undefined, {
    timeout: 15_000,
  });
}, 60_000);

test('seeking to the end is not watching: the video ends but the lesson stays incomplete', async () => {
  const page = await browser.page();
  await page.goto(lms.launchUrl(SCORM_FILES.launch));
  const frame = await sco(page);
  await frame.locator('#lesson').evaluate(async (element) => {
    const video = element as unknown as Video;
    video.currentTime = 2.5;
    await video.play();
    await new Promise<void>((resolve) => {
      const check = () => (video.ended ? resolve() : setTimeout(check, 20));
      check();
    });
  });
  expect((await record(page)).status).toBe('incomplete');
}, 60_000);

test('opened outside an LMS, the player plays and says that nothing is recorded', async () => {
  const page = await browser.page();
  await page.goto(`${lms.url}/package/${SCORM_FILES.launch}`);
  await expect(page.textContent('#lms-status')).resolves.toBe('Not launched from an LMS: the lesson plays, but nothing is recorded.');
  await page.locator('#lesson').evaluate((video) => (video as unknown as Video).play());
  await page.waitForFunction(
    () => (globalThis as unknown as { document: { getElementById(id: string): Video } }).document.getElementById('lesson').ended,
    undefined,
    { timeout: 15_000 },
  );
});
