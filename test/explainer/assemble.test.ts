import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAssembleExplainer } from '../../activities/assemble-explainer';
import { createMeasureVoiceover } from '../../activities/measure-voiceover';
import { createPackageExplainer } from '../../activities/package-explainer';
import { explainerObjectKeys } from '../../schemas/object-keys';
import { topLevelBoxes, isFaststart } from '../../activities/assembly-media';
import { ffmpegPath, ffprobePath } from '../../infra/ffmpeg';
import type {
  AssembleExplainerInput,
  AssembledExplainer,
  AssemblyChunk,
  ScormPackageRecord,
  VoiceoverLoudness,
} from '../../schemas/assembly';
import { measureLoudness } from '../helpers/audio';
import { readZip } from '../helpers/scorm-lms';
import { testActivityDeps } from '../helpers/product';
import { testStack } from '../helpers/stack';

const run = promisify(execFile);
const deps = testActivityDeps();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assemble-test-'));
const tempRoot = path.join(workDir, 'activity-temp');
const assemble = createAssembleExplainer(deps, { tempRoot, heartbeatEveryMs: 200 });
const packageExplainer = createPackageExplainer(deps, { tempRoot, heartbeatEveryMs: 200 });
const measureVoiceover = createMeasureVoiceover(deps, { tempRoot, heartbeatEveryMs: 200 });
const prefix = `explainer-test-${Date.now()}/`;

type Stored = AssemblyChunk['clip'];

async function makeMedia(name: string, args: string[]): Promise<Stored> {
  const file = path.join(workDir, name);
  await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args, file]);
  const bytes = fs.readFileSync(file);
  const key = `${prefix}inputs/${name}`;
  await deps.s3.send(new PutObjectCommand({ Bucket: testStack().s3.bucket, Key: key, Body: bytes }));
  return { bucket: testStack().s3.bucket, key, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const clip = (name: string, seconds: number, size: string) =>
  makeMedia(name, [
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${size}:rate=24`,
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-an',
  ]);
const voice = (name: string, seconds: number, hz: number) =>
  makeMedia(name, ['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${seconds}`, '-ac', '1']);

let media: Record<'a' | 'b' | 'wide' | 'voiceA' | 'voiceB', Stored>;

beforeAll(async () => {
  media = {
    a: await clip('a.mp4', 2, '320x240'),
    b: await clip('b.mp4', 3, '320x240'),
    wide: await clip('wide.mp4', 2, '640x360'),
    // Shorter than its clip (the mix is padded), and longer than its clip (cut at the video's end).
    voiceA: await voice('voice-a.wav', 1.5, 440),
    voiceB: await voice('voice-b.m4a', 3.5, 660),
  };
}, 60_000);

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

function input(explainerId: string, chunks: AssemblyChunk[], extra: Partial<AssembleExplainerInput> = {}): AssembleExplainerInput {
  return { explainerId, chunks, output: { bucket: testStack().s3.bucket, prefix }, ...extra };
}

async function downloaded(key: string): Promise<{ file: string; bytes: Buffer; metadata: Record<string, string> }> {
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: testStack().s3.bucket, Key: key }));
  const bytes = Buffer.from(await object.Body!.transformToByteArray());
  const file = path.join(workDir, `${path.basename(key)}-${Date.now()}`);
  fs.writeFileSync(file, bytes);
  return { file, bytes, metadata: object.Metadata ?? {} };
}

async function probe(file: string) {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]);
  return JSON.parse(stdout) as { streams: Array<{ codec_type: string; codec_name: string; width?: number }>; format: { duration: string } };
}

/** Peak level (dB) of the audio between two times: about -91 for silence, about -21 for the sine voices. */
async function peakDb(file: string, from: number, seconds: number): Promise<number> {
  const { stderr } = await run(ffmpegPath(), [
    '-hide_banner',
    '-nostdin',
    '-ss',
    String(from),
    '-t',
    String(seconds),
    '-i',
    file,
    '-vn',
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const match = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  return match?.[1] === '-inf' || !match ? -Infinity : Number(match[1]);
}

/** Tool processes still running on this test's temp files: those started ahead of their work must never outlive the attempt. */
function toolsLeft(): string[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .filter((command) => command.includes(tempRoot));
}

function tempLeft(): string[] {
  return fs.existsSync(tempRoot) ? fs.readdirSync(tempRoot) : [];
}

test('joins same-recipe clips by copy, places each voiceover at its chunk start, writes the sidecar, checks and records the MP4', async () => {
  const chunks = [
    { clip: media.a, voiceover: media.voiceA, text: 'Cells take in energy.' },
    { clip: media.b, voiceover: media.voiceB, text: 'Then they divide <in two>.' },
  ];
  const phases = new Set<string>();
  const env = new MockActivityEnvironment();
  env.on('heartbeat', (details: { phase?: string }) => details?.phase && phases.add(details.phase));
  const result = (await env.run(assemble, input('copy-path', chunks))) as AssembledExplainer;
  const { mp4Key, vttKey } = explainerObjectKeys(prefix, 'copy-path');
  expect(result.mp4.key).toBe(mp4Key);
  expect([...phases]).toEqual(expect.arrayContaining(['download', 'concat', 'mux', 'upload']));

  const mp4 = await downloaded(mp4Key);
  expect(createHash('sha256').update(mp4.bytes).digest('hex')).toBe(result.mp4.sha256);
  expect(mp4.bytes.length).toBe(result.mp4.bytes);
  expect(mp4.metadata.sha256).toBe(result.mp4.sha256);
  const probed = await probe(mp4.file);
  expect(probed.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(Math.abs(Number(probed.format.duration) - 5)).toBeLessThanOrEqual(0.1);
  expect(Math.abs(result.mp4.durationSeconds - 5)).toBeLessThanOrEqual(0.1);
  const boxes = await topLevelBoxes(async (offset, length) => mp4.bytes.subarray(offset, offset + length), mp4.bytes.length);
  expect(isFaststart(boxes)).toBe(true);
  // Voice A (1.5 s) then padding silence until chunk B starts at 2 s; voice B (3.5 s) is cut at the end, 5 s.
  expect(await peakDb(mp4.file, 0.3, 1)).toBeGreaterThan(-40);
  expect(await peakDb(mp4.file, 1.65, 0.25)).toBeLessThan(-60);
  expect(await peakDb(mp4.file, 2.2, 1)).toBeGreaterThan(-40);
  // EBU R128 on the delivered file: −16 LUFS integrated (±1 LU), true peak under −1 dBTP, no sample clipped.
  const loudness = await measureLoudness(mp4.bytes);
  expect(Math.abs(loudness.integratedLufs - -16)).toBeLessThanOrEqual(1);
  expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1);
  expect(await peakDb(mp4.file, 0, 5)).toBeLessThan(0);

  // The SCORM package sits next to the MP4, holding the same MP4 and captions (its LMS run: scorm-package.test.ts).
  const { packageKey } = explainerObjectKeys(prefix, 'copy-path');
  expect(result.package).toMatchObject({ key: packageKey, format: 'scorm-1.2' });
  const zip = await downloaded(packageKey);
  expect(createHash('sha256').update(zip.bytes).digest('hex')).toBe(result.package!.sha256);
  const entries = await readZip(zip.file);
  expect(entries.get('explainer.mp4')!.equals(mp4.bytes)).toBe(true);
  expect(entries.get('index.html')!.toString()).toContain('<title>copy-path</title>');

  const vtt = (await downloaded(vttKey)).bytes.toString('utf8');
  expect(vtt).toBe(
    'WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nCells take in energy.\n\n2\n00:00:02.000 --> 00:00:05.000\nThen they divide &lt;in two&gt;.\n',
  );
  expect(tempLeft()).toEqual([]);

  // The retry of an attempt that finished (the worker died before reporting): the same object, nothing re-uploaded.
  const before = await deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: mp4Key }));
  const sent: string[] = [];
  deps.s3.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  try {
    const again = (await new MockActivityEnvironment().run(assemble, input('copy-path', chunks))) as AssembledExplainer;
    expect(again).toEqual({ ...result, mp4: { ...result.mp4, durationSeconds: expect.closeTo(result.mp4.durationSeconds, 5) } });
  } finally {
    deps.s3.middlewareStack.remove('countCommands');
  }
  // It reads the inputs again (the clips tell the chunks' timings) but writes nothing.
  expect(sent.filter((name) => !['HeadObjectCommand', 'GetObjectCommand'].includes(name))).toEqual([]);
  const after = await deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: mp4Key }));
  expect(after.ETag).toBe(before.ETag);
  expect(after.LastModified).toEqual(before.LastModified);

  // Other inputs under the same explainer never overwrite the final object.
  const conflict = await new MockActivityEnvironment()
    .run(assemble, input('copy-path', [chunks[1]!, chunks[0]!]))
    .catch((error: unknown) => error);
  expect((conflict as ApplicationFailure).type).toBe('AssemblyConflict');
  expect((await deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: mp4Key }))).ETag).toBe(before.ETag);
});

test('asked without the package, the assembly leaves it to packageExplainer, which builds it from the MP4 once', async () => {
  // With the sizes recorded at archive time, as the workflow passes them: no input is asked for its size.
  const sized = async (stored: Stored) => ({
    ...stored,
    bytes: (await deps.s3.send(new HeadObjectCommand({ Bucket: stored.bucket, Key: stored.key }))).ContentLength!,
  });
  const chunks = [
    { clip: await sized(media.a), voiceover: await sized(media.voiceA), text: 'Cells take in energy.' },
    { clip: await sized(media.b), voiceover: await sized(media.voiceB), text: 'Then they divide.' },
  ];
  const asked: string[] = [];
  deps.s3.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'HeadObjectCommand') asked.push(String((args.input as { Key?: string }).Key));
      return next(args);
    },
    { step: 'initialize', name: 'countHeads' },
  );
  let result: AssembledExplainer;
  try {
    result = (await new MockActivityEnvironment().run(assemble, input('apart', chunks, { scorm: false }))) as AssembledExplainer;
  } finally {
    deps.s3.middlewareStack.remove('countHeads');
  }
  expect(asked.filter((key) => key.includes('/inputs/'))).toEqual([]);
  const { mp4Key, packageKey } = explainerObjectKeys(prefix, 'apart');
  expect(result.package).toBeUndefined();
  expect(result.timings).toEqual([
    { startMs: 0, endMs: 2000 },
    { startMs: 2000, endMs: 5000 },
  ]);
  await expect(deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: packageKey }))).rejects.toThrow();

  const packageInput = {
    explainerId: 'apart',
    output: { bucket: testStack().s3.bucket, prefix },
    mp4: result.mp4,
    cues: result.timings.map((timing, index) => ({ ...timing, text: chunks[index]!.text })),
    title: 'Cells',
  };
  const packaged = (await new MockActivityEnvironment().run(packageExplainer, packageInput)) as ScormPackageRecord;
  expect(packaged).toMatchObject({ key: packageKey, format: 'scorm-1.2' });
  const zip = await downloaded(packageKey);
  expect(createHash('sha256').update(zip.bytes).digest('hex')).toBe(packaged.sha256);
  const entries = await readZip(zip.file);
  expect(entries.get('explainer.mp4')!.equals((await downloaded(mp4Key)).bytes)).toBe(true);
  expect(entries.get('explainer.vtt')!.toString()).toContain('00:00:02.000 --> 00:00:05.000\nThen they divide.');
  expect(entries.get('index.html')!.toString()).toContain('<title>Cells</title>');

  // Again (a retry after the worker died): the same package, nothing written; another MP4 never replaces it.
  const before = await deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: packageKey }));
  expect(await new MockActivityEnvironment().run(packageExplainer, packageInput)).toEqual(packaged);
  const other = (await new MockActivityEnvironment().run(
    assemble,
    input('apart-other', [chunks[1]!, chunks[0]!], { scorm: false }),
  )) as AssembledExplainer;
  const conflict = await new MockActivityEnvironment()
    .run(packageExplainer, { ...packageInput, mp4: other.mp4 })
    .catch((error: unknown) => error);
  expect((conflict as ApplicationFailure).type).toBe('AssemblyConflict');
  const after = await deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: packageKey }));
  expect(after.ETag).toBe(before.ETag);
  // A package request the workflow got wrong is refused at once, before anything is read.
  const bad = await new MockActivityEnvironment().run(packageExplainer, { ...packageInput, cues: [] }).catch((error: unknown) => error);
  expect(bad).toBeInstanceOf(ApplicationFailure);
  expect((bad as ApplicationFailure).nonRetryable).toBe(true);
  expect((bad as Error).message).toMatch(/^bad package input: .*cues/s);
  expect(tempLeft()).toEqual([]);
});

test('clips that differ are re-encoded to one recipe (the first clip sets the size), subtitles burned in on request', async () => {
  const chunks = [
    { clip: media.a, voiceover: media.voiceA, text: 'Small first.' },
    { clip: media.wide, voiceover: media.voiceA, text: 'Then wide.' },
  ];
  const result = (await new MockActivityEnvironment().run(
    assemble,
    input('reencode-path', chunks, { burnSubtitles: true }),
  )) as AssembledExplainer;
  const mp4 = await downloaded(result.mp4.key);
  const probed = await probe(mp4.file);
  expect(probed.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
  expect(probed.streams.find((stream) => stream.codec_type === 'video')!.width).toBe(320);
  expect(Math.abs(Number(probed.format.duration) - 4)).toBeLessThanOrEqual(0.1);
  // Every frame decodes.
  await run(ffmpegPath(), ['-hide_banner', '-v', 'error', '-xerror', '-i', mp4.file, '-f', 'null', '-']);
  expect(tempLeft()).toEqual([]);
});

test.each(['concat', 'upload'])(
  'an attempt cancelled in %s leaves no temp files, no tool running, no final object; the retry completes',
  async (phase) => {
    const chunks = [
      { clip: media.a, voiceover: media.voiceA, text: 'One.' },
      { clip: media.wide, voiceover: media.voiceB, text: 'Two.' },
    ];
    const env = new MockActivityEnvironment();
    let cancelledIn: string | undefined;
    env.on('heartbeat', (details: { phase?: string }) => {
      if (!cancelledIn && details?.phase === phase) {
        cancelledIn = details.phase;
        env.cancel();
      }
    });
    const failure = await env.run(assemble, input(`cancelled-${phase}`, chunks)).catch((error: unknown) => error);
    expect(cancelledIn).toBe(phase);
    expect(failure).toBeDefined();
    expect(failure).not.toHaveProperty('mp4');
    expect(tempLeft()).toEqual([]);
    expect(toolsLeft()).toEqual([]);
    const { mp4Key, vttKey } = explainerObjectKeys(prefix, `cancelled-${phase}`);
    await expect(deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: mp4Key }))).rejects.toThrow();
    // The sidecar may go up beside the MP4's parts; only the MP4 commits an assembly.
    if (phase === 'concat')
      await expect(deps.s3.send(new HeadObjectCommand({ Bucket: testStack().s3.bucket, Key: vttKey }))).rejects.toThrow();
    const pending = await deps.s3.send(new ListMultipartUploadsCommand({ Bucket: testStack().s3.bucket, Prefix: prefix }));
    expect(pending.Uploads ?? []).toEqual([]);

    const retried = (await new MockActivityEnvironment().run(assemble, input(`cancelled-${phase}`, chunks))) as AssembledExplainer;
    expect(Math.abs(retried.mp4.durationSeconds - 4)).toBeLessThanOrEqual(0.1);
    expect(tempLeft()).toEqual([]);
  },
);

test('voiceovers measured when archived: the assembly mixes to −16 LUFS by their measurements, measuring nothing itself', async () => {
  const env = new MockActivityEnvironment();
  const [loudA, loudB] = [
    (await env.run(measureVoiceover, { voiceover: media.voiceA })) as VoiceoverLoudness,
    (await env.run(measureVoiceover, { voiceover: media.voiceB })) as VoiceoverLoudness,
  ];
  expect(loudA.blocks.length).toBeGreaterThan(5);
  expect(loudB.blocks.length).toBeGreaterThan(20);
  const chunks = (shiftLu: number) => [
    {
      clip: media.a,
      voiceover: { ...media.voiceA, loudness: { ...loudA, blocks: loudA.blocks.map((lufs) => lufs + shiftLu) } },
      text: 'One.',
    },
    {
      clip: media.b,
      voiceover: { ...media.voiceB, loudness: { ...loudB, blocks: loudB.blocks.map((lufs) => lufs + shiftLu) } },
      text: 'Two.',
    },
  ];
  const mixed = async (explainerId: string, shiftLu: number) => {
    const result = (await new MockActivityEnvironment().run(
      assemble,
      input(explainerId, chunks(shiftLu), { scorm: false }),
    )) as AssembledExplainer;
    return measureLoudness((await downloaded(result.mp4.key)).bytes);
  };
  const measured = await mixed('premeasured', 0);
  expect(Math.abs(measured.integratedLufs - -16)).toBeLessThanOrEqual(1);
  expect(measured.truePeakDbtp).toBeLessThanOrEqual(-1);
  // Told the voiceovers are 6 LU louder than they are, the mix comes out 6 LU quieter: the measurements are what it used.
  const told = await mixed('premeasured-louder', 6);
  expect(Math.abs(told.integratedLufs - (measured.integratedLufs - 6))).toBeLessThanOrEqual(0.5);
  expect(tempLeft()).toEqual([]);
  expect(toolsLeft()).toEqual([]);
});

test('a voiceover whose bytes are not the recorded ones is not measured: AssemblyFailed, not retried', async () => {
  const failure = await new MockActivityEnvironment()
    .run(measureVoiceover, { voiceover: { ...media.voiceA, sha256: '0'.repeat(64) } })
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect((failure as ApplicationFailure).type).toBe('AssemblyFailed');
  expect((failure as ApplicationFailure).nonRetryable).toBe(true);
  const bad = await new MockActivityEnvironment()
    .run(measureVoiceover, { voiceover: { key: 'x' } } as never)
    .catch((error: unknown) => error);
  expect((bad as ApplicationFailure).type).toBe('AssemblyFailed');
  expect((bad as Error).message).toMatch(/bad voiceover measure input/);
  expect(tempLeft()).toEqual([]);
});

test('an input whose bytes are not the recorded ones fails AssemblyFailed, not retried', async () => {
  const chunks = [{ clip: { ...media.a, sha256: '0'.repeat(64) }, voiceover: media.voiceA, text: 'x' }];
  const failure = await new MockActivityEnvironment().run(assemble, input('bad-sha', chunks)).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect((failure as ApplicationFailure).type).toBe('AssemblyFailed');
  expect((failure as ApplicationFailure).nonRetryable).toBe(true);
  expect(tempLeft()).toEqual([]);
  expect(toolsLeft()).toEqual([]);
});

test('FFMPEG_PATH pointing nowhere fails MediaToolMissing with what to install', async () => {
  const broken = createAssembleExplainer(deps, { tempRoot, env: { ...process.env, FFMPEG_PATH: '/nowhere/ffmpeg' } });
  const chunks = [{ clip: media.a, voiceover: media.voiceA, text: 'x' }];
  const failure = await new MockActivityEnvironment().run(broken, input('no-ffmpeg', chunks)).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect((failure as ApplicationFailure).type).toBe('MediaToolMissing');
  expect((failure as ApplicationFailure).nonRetryable).toBe(true);
  expect((failure as Error).message).toContain('FFMPEG_PATH=/nowhere/ffmpeg is not an executable file');
  expect((failure as Error).message).toContain('apt-get install -y --no-install-recommends ffmpeg');
});
