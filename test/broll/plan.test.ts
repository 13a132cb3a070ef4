import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { draftBrollPlan, describeBrollPlan, planBroll, type BrollPlan } from '../../client/broll/plan';
import { loadBrollProjectFile, parseBrollProjectFile } from '../../client/broll/project-file';
import type { KeywordExtractor } from '../../client/keywords';
import { requestFingerprint } from '../../infra/request-fingerprint';
import { brollWorkflowInputSchema, takeSeed, type BrollProjectFileInput } from '../../schemas';
import { s3Client, testStack } from '../helpers/stack';
import { runCli } from '../helpers/worker-process';

/**
 * Planning a B-roll project happens before any spend and without the stack: segments and timecodes from
 * the transcript, keywords, prompts, fitted durations and credits, the same every time; every mistake in the
 * project file or the transcript is reported as itself, naming the file and line or the field.
 */
const projectRoot = path.resolve(__dirname, '../..');
const example = path.join(projectRoot, 'examples/broll/harbour-town.yaml');
const heroImage = path.join(projectRoot, 'examples/assets/hero-product.jpg');

let workDir: string;
let s3: S3Client;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-broll-plan-'));
  s3 = s3Client();
});
afterAll(() => {
  s3.destroy();
  fs.rmSync(workDir, { recursive: true, force: true });
});

function write(name: string, content: string): string {
  const file = path.join(workDir, name);
  fs.writeFileSync(file, content);
  return file;
}

const SRT = `1
00:00:00,000 --> 00:00:04,000
The lighthouse keeper climbed the spiral stairs.

2
00:00:04,500 --> 00:00:09,000
<i>Fishing boats</i> returned through the fog.
`;

const brief = { style: '1970s 16 mm film', model: 'gen4.5', ratio: '1280:720' };

/** A project around a transcript written into the work folder; returns the draft plan or the error. */
async function planOf(transcript: { name: string; content: string }, project: Partial<BrollProjectFileInput> = {}): Promise<BrollPlan> {
  write(transcript.name, transcript.content);
  const parsed = parseBrollProjectFile({ projectId: 'case', transcript: transcript.name, brief, ...project });
  return draftBrollPlan(parsed, workDir);
}

async function inputError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  if (!error) throw new Error('planning succeeded; expected an InputError');
  expect(error.name).toBe('InputError');
  return error;
}

/**
 * The example's plan, fixed: a change in parsing, keywords, fitting or pricing shows up here. Credits are
 * both takes' (60 credits per 5 s take of gen4.5); s03's keywords are the project file's, s07's the
 * transcript's keywords line; the others are extracted.
 */
const EXAMPLE_SEGMENTS = [
  ['s01', 0, 4200, 5, 120, ['fishing', 'village', 'families', 'clinging', 'narrow']],
  ['s02', 4800, 11400, 7, 168, ['sailed', 'lighthouse', 'noon', 'quay', 'silver']],
  ['s03', 12000, 15500, 4, 96, ['herring barrels', 'salt']],
  ['s04', 16000, 23800, 8, 192, ['railway', 'reached', 'wagons', 'tourists', 'promenade']],
  ['s05', 24500, 30000, 6, 144, ['storms', 'oldest', 'enemy', 'winter', 'breakwater']],
  ['s06', 30600, 36900, 7, 168, ['fishermen', 'rebuilt', 'stone', 'hauling', 'granite']],
  ['s07', 37500, 42000, 5, 120, ['cafés', 'galleries']],
  ['s08', 42600, 51000, 9, 216, ['turns', 'night', 'quiet', 'boats', 'land']],
] as const;
const EXAMPLE_PHOTOS: Record<string, string> = {
  s01: 'photos/s01-village.jpg',
  s02: 'photos/s02-fleet.jpg',
  s05: 'photos/s05-breakwater.jpg',
  s06: 'photos/s06-quarry.jpg',
};

test('the example plans the same every time: segments, timecodes, keywords, prompts, fitted durations and credits', async () => {
  const first = await loadBrollProjectFile(example);
  const second = await loadBrollProjectFile(example);
  const plan = await draftBrollPlan(first.project, first.baseDir);
  expect(await draftBrollPlan(second.project, second.baseDir)).toEqual(plan);

  expect(plan).toMatchObject({ projectId: 'saltmarsh-harbour', model: 'gen4.5', ratio: '1280:720', fps: 25, takesPerSegment: 2 });
  expect(plan.segments.map((s) => [s.segmentId, s.recordInMs, s.recordOutMs, s.duration, s.estimatedCredits, s.keywords])).toEqual(
    EXAMPLE_SEGMENTS.map((row) => [...row.slice(0, 5), [...row[5]]]),
  );
  expect(plan.segments.map((s) => s.keywordSource)).toEqual([
    'extracted',
    'extracted',
    'producer',
    'extracted',
    'extracted',
    'extracted',
    'producer',
    'extracted',
  ]);
  // A shot in the guide's shape, by the deterministic writer; the plan says so.
  expect(plan.segments[0]!.promptText).toBe(
    'A fishing village of forty families clinging to a narrow harbour in 1890, 1970s 16 mm film, muted colours, handheld, documentary footage quality',
  );
  expect(plan.segments.every((s) => s.prompt.writer === 'nlp')).toBe(true);
  expect(plan.segments[2]!.promptText).toContain('featuring herring barrels');
  // The photographs folder, matched by segment id: those segments animate them; the 4:3 one is cropped by the model.
  expect(Object.fromEntries(plan.segments.flatMap((s) => (s.photo ? [[s.segmentId, s.photo.source]] : [])))).toEqual(EXAMPLE_PHOTOS);
  expect(plan.segments.map((s) => s.endpoint)).toEqual(
    plan.segments.map((s) => (EXAMPLE_PHOTOS[s.segmentId] ? 'image_to_video' : 'text_to_video')),
  );
  expect(plan.segments[0]!.photo).toMatchObject({
    width: 1024,
    height: 768,
    fit: 'the model crops it to 1280:720: 25% of its height is cut (centred)',
  });
  expect(plan.segments[1]!.photo!.fit).toBe('matches 1280:720');
  // Two takes each, each its own seed.
  expect(plan.segments.every((s) => s.takes === 2 && s.seeds!.length === 2 && s.seeds![0] !== s.seeds![1])).toBe(true);
  expect(plan.totalSeconds).toBe(102);
  expect(plan.estimatedCredits).toBe(1224);
  expect(plan.budgetCredits).toBe(2400);
  // 8 cues of 3–9 s each, as the example promises.
  for (const segment of plan.segments) {
    expect(segment.recordOutMs - segment.recordInMs).toBeGreaterThanOrEqual(3000);
    expect(segment.recordOutMs - segment.recordInMs).toBeLessThanOrEqual(9000);
  }
  const table = describeBrollPlan(plan).join('\n');
  expect(table).toContain('16 takes, 102 s of video, 1224 credits');
  expect(table).toContain('photograph: photos/s01-village.jpg (1024×768; the model crops it to 1280:720');
  expect(table).toContain('prompt (nlp): The herring fleet sailing past the lighthouse every dawn');
});

test('clip durations fit the segment: the shortest allowed that covers it, else the longest allowed', async () => {
  const cues = [
    [0, 1200],
    [2000, 6000],
    [6000, 10001],
    [11000, 31000],
  ]
    .map(
      ([inMs, outMs], index) => `${index + 1}\n${srtTime(inMs!)} --> ${srtTime(outMs!)}\nHarbour cranes lift cargo number ${index + 1}.\n`,
    )
    .join('\n');
  const gen45 = await planOf({ name: 'fit.srt', content: cues });
  expect(gen45.segments.map((s) => s.duration)).toEqual([2, 4, 5, 10]);
  expect(gen45.segments.map((s) => s.estimatedCredits)).toEqual([24, 48, 60, 120]);
  const veo = await planOf({ name: 'fit.srt', content: cues }, { brief: { ...brief, model: 'veo3.1_fast' } });
  expect(veo.segments.map((s) => s.duration)).toEqual([4, 4, 6, 8]);
  expect(veo.estimatedCredits).toBe((4 + 4 + 6 + 8) * 15);
});

test('WebVTT (identifiers, notes, cue settings, voice tags) and plain text timed by wordsPerSecond', async () => {
  const vtt = await planOf({
    name: 'talk.vtt',
    content: `WEBVTT - narration

NOTE written by the producer

intro
00:01.000 --> 00:04.500 align:start position:10%
<v Narrator>The harbour wall was built in 1850.</v>

01:00:00.000 --> 01:00:03.000
Cod and herring filled the market stalls.
`,
  });
  expect(vtt.transcript.format).toBe('vtt');
  expect(vtt.segments.map((s) => [s.segmentId, s.recordInMs, s.recordOutMs, s.text])).toEqual([
    ['s01', 1000, 4500, 'The harbour wall was built in 1850.'],
    ['s02', 3_600_000, 3_603_000, 'Cod and herring filled the market stalls.'],
  ]);
  expect(vtt.segments[0]!.keywords).toContain('1850');

  // 10 words and 5 words at 2.5 words per second: 4 s and 2 s, back to back.
  const text = await planOf(
    {
      name: 'narration.txt',
      content: 'The harbour wall stood against a hundred winters of storms.\n\n\nFishermen mended their nets again.\n',
    },
    { wordsPerSecond: 2.5 },
  );
  expect(text.transcript.format).toBe('text');
  expect(text.segments.map((s) => [s.recordInMs, s.recordOutMs, s.duration])).toEqual([
    [0, 4000, 4],
    [4000, 6000, 2],
  ]);
});

test('keywords: stop words never, segment-specific words before transcript-wide ones, a plugged-in extractor wins', async () => {
  const plan = await planOf({
    name: 'keywords.srt',
    content: `1
00:00:00,000 --> 00:00:04,000
The harbour was busy. The harbour smelled of tar and rope.

2
00:00:04,000 --> 00:00:08,000
In the harbour, Margaret Dunmore sold smoked herring.
`,
  });
  const [first, second] = plan.segments.map((s) => s.keywords);
  for (const keywords of [first!, second!]) for (const stop of ['the', 'was', 'of', 'and', 'in']) expect(keywords).not.toContain(stop);
  // "harbour" is in every segment: it ranks below the words that set this segment apart.
  expect(second!.slice(0, 4)).toEqual(['Margaret', 'Dunmore', 'sold', 'smoked']);
  expect(second).not.toContain('harbour');
  expect(first).toContain('tar');

  const upper: KeywordExtractor = { extract: (segments) => segments.map((text) => [text.split(' ')[0]!.toUpperCase()]) };
  write('keywords.srt', fs.readFileSync(path.join(workDir, 'keywords.srt'), 'utf8'));
  const custom = await draftBrollPlan(
    parseBrollProjectFile({ projectId: 'kw', transcript: 'keywords.srt', brief: { ...brief, promptTemplate: '{style}. {keywords}' } }),
    workDir,
    { keywords: upper },
  );
  expect(custom.segments.map((s) => s.keywords)).toEqual([['THE'], ['IN']]);
  expect(custom.segments[1]!.promptText).toBe('1970s 16 mm film. IN');
  expect(custom.segments[1]!.prompt).toEqual({ writer: 'template' });
});

test('a malformed transcript is named by file and line: bad timecodes, reversed or overlapping cues, empty segments, no WEBVTT header', async () => {
  const cases: Array<[string, string, string[]]> = [
    ['bad-time.srt', '1\n00:00:00,000 --> 00:00:04,000\nOne.\n\n2\n00:00:04 --> 00:00:08,000\nTwo.\n', ['bad-time.srt line 6', 'timecode']],
    ['no-timing.srt', '1\nJust words without a timecode.\n', ['no-timing.srt line 2', 'timecode']],
    ['reversed.srt', '1\n00:00:05,000 --> 00:00:02,000\nBackwards.\n', ['reversed.srt line 2', 'reversed']],
    [
      'overlap.srt',
      '1\n00:00:00,000 --> 00:00:05,000\nOne.\n\n2\n00:00:04,000 --> 00:00:08,000\nTwo.\n',
      ['overlap.srt line 5', 'overlapping', 'line 1'],
    ],
    [
      'empty-cue.srt',
      '1\n00:00:00,000 --> 00:00:04,000\n\n2\n00:00:04,000 --> 00:00:08,000\nTwo.\n',
      ['empty-cue.srt line 1', 'empty segment'],
    ],
    ['empty-cue-tags.srt', '1\n00:00:00,000 --> 00:00:04,000\n<i> </i>\n', ['empty-cue-tags.srt line 1', 'empty segment']],
    ['bad-minutes.srt', '1\n00:61:00,000 --> 00:62:00,000\nOne.\n', ['bad-minutes.srt line 2', 'not a valid time']],
    ['header.vtt', 'WEBVT\n\n00:00.000 --> 00:04.000\nOne.\n', ['header.vtt line 1', 'WEBVTT']],
    ['bad-time.vtt', 'WEBVTT\n\ncue-1\n00:00,000 --> 00:04.000\nOne.\n', ['bad-time.vtt line 4', '00:00,000']],
    ['overlap.vtt', 'WEBVTT\n\n00:00.000 --> 00:04.000\nOne.\n\n00:03.000 --> 00:05.000\nTwo.\n', ['overlap.vtt line 6', 'overlapping']],
    ['dots.txt', 'A paragraph.\n\n...\n', ['dots.txt line 3', 'empty segment']],
    ['blank.txt', '\n\n   \n', ['blank.txt has no segments']],
  ];
  for (const [name, content, mentions] of cases) {
    const error = await inputError(planOf({ name, content }));
    for (const mention of mentions) expect(error.message).toContain(mention);
    expect(error.message).toMatch(/^transcript: /);
  }
});

test('a bad project is named by its field: template placeholders, model, ratio, overrides, missing transcript', async () => {
  const transcript = { name: 'ok.srt', content: SRT };
  const cases: Array<[Partial<BrollProjectFileInput>, string[]]> = [
    [{ brief: { ...brief, promptTemplate: 'A shot. {style}' } }, ['brief.promptTemplate', '{keywords} or {text}']],
    [{ brief: { ...brief, promptTemplate: '{keywords} in {era}' } }, ['brief.promptTemplate', 'unknown placeholder {era}']],
    [{ brief: { ...brief, model: 'gen9' } }, ['brief.model', 'gen4_turbo', 'gen4.5', 'veo3.1']],
    [{ brief: { ...brief, ratio: '1584:672' } }, ['brief.ratio', 'ratio 1584:672 is not allowed for gen4.5 text_to_video', '1280:720']],
    [{ brief: { ...brief, model: 'gen4_turbo' } }, ['brief.promptImage', 'needs promptImage']],
    [{ brief: { ...brief, promptImage: './no-such.png' } }, ['brief.promptImage', 'no-such.png']],
    [{ overrides: { s07: { promptText: 'A lighthouse' } } }, ['overrides.s07', 'no segment s07', 's01…s02']],
    [{ transcript: 'missing/narration.srt' }, ['transcript', 'not found', 'missing/narration.srt']],
    [
      {
        brief: {
          ...brief,
          promptTemplate:
            '{text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text} {text}',
        },
      },
      ['segment s01', 'at most 1000', 'overrides.s01.promptText'],
    ],
  ];
  for (const [project, mentions] of cases) {
    const error = await inputError(planOf(transcript, project));
    for (const mention of mentions) expect(error.message).toContain(mention);
  }
  // Schema errors name the file and the field.
  const yaml = write('no-style.yaml', 'projectId: p1\ntranscript: ok.srt\nbrief:\n  model: gen4.5\n  ratio: "1280:720"\n');
  const schemaError = await inputError(loadBrollProjectFile(yaml));
  expect(schemaError.message).toContain('no-style.yaml');
  expect(schemaError.message).toContain('brief.style');
  await inputError(loadBrollProjectFile(path.join(workDir, 'nothing-here.yaml')));
});

test('planBroll stages the prompt image once, fingerprints every request and gives a valid BrollWorkflowInput', async () => {
  const { s3: stackS3 } = testStack();
  const { project, baseDir } = await loadBrollProjectFile(example);
  const context = { s3, defaultBucket: stackS3.bucket, defaultPrefix: 'plan-test/', baseDir };
  const input = brollWorkflowInputSchema.parse(await planBroll(project, context));
  expect(input.archive).toEqual({ bucket: stackS3.bucket, prefix: 'broll/' });
  expect(input.maxReviewRounds).toBe(3);
  expect(input.reviewDeadlineMs).toBe(72 * 3600_000);
  expect(input.budgetCredits).toBe(2400);
  expect(input.takesPerSegment).toBe(2);
  expect(input.segments.map((s) => [s.segmentId, s.request.duration, s.estimatedCredits])).toEqual(
    EXAMPLE_SEGMENTS.map((row) => [row[0], row[3], row[4]]),
  );
  // Each take's fingerprint is its request with its own seed: 16 takes, 16 requests.
  for (const segment of input.segments) {
    expect(segment.seeded).toBe(true);
    expect(segment.takeFingerprints).toEqual(
      [1, 2].map((take) => requestFingerprint({ ...segment.request, seed: takeSeed('saltmarsh-harbour', segment.segmentId, take) })),
    );
  }
  expect(new Set(input.segments.flatMap((s) => s.takeFingerprints)).size).toBe(16);
  // Same file, same fingerprints.
  expect((await planBroll(project, context)).segments.map((s) => s.takeFingerprints)).toEqual(
    input.segments.map((s) => s.takeFingerprints),
  );
  // The photographs are staged, the bytes that were checked, and their segments ask for image_to_video.
  for (const segment of input.segments) {
    const photo = EXAMPLE_PHOTOS[segment.segmentId];
    const image = segment.request.promptImage;
    if (!photo) {
      expect(image).toBeUndefined();
      continue;
    }
    if (image?.kind !== 's3') throw new Error(`${segment.segmentId}'s photograph was not staged`);
    const bytes = fs.readFileSync(path.join(projectRoot, 'examples/broll', photo));
    expect(image.key).toContain(createHash('sha256').update(bytes).digest('hex'));
    const object = await s3.send(new GetObjectCommand({ Bucket: image.bucket, Key: image.key }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes)).toBe(true);
  }

  fs.copyFileSync(heroImage, path.join(workDir, 'still.jpg'));
  write('image.srt', SRT);
  const withImage = parseBrollProjectFile({
    projectId: 'image-case',
    transcript: 'image.srt',
    brief: { ...brief, ratio: '16:9', promptImage: 'still.jpg' },
  });
  const staged = await planBroll(withImage, { ...context, baseDir: workDir, taskQueue: 'broll-queue' });
  expect(staged.taskQueue).toBe('broll-queue');
  const images = staged.segments.map((s) => s.request.promptImage);
  expect(images[0]).toEqual(images[1]);
  const image = images[0]!;
  if (image.kind !== 's3') throw new Error('the local image was not staged');
  const digest = createHash('sha256').update(fs.readFileSync(heroImage)).digest('hex');
  expect(image.key).toContain(digest);
  expect(image.key.startsWith('plan-test/')).toBe(true);
  const object = await s3.send(new GetObjectCommand({ Bucket: image.bucket, Key: image.key }));
  expect(Buffer.from(await object.Body!.transformToByteArray()).equals(fs.readFileSync(heroImage))).toBe(true);
  expect(staged.segments[0]!.request.ratio).toBe('1280:720');
});

/** Temporal and S3 unreachable: planning needs neither. */
const downEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  S3_BUCKET: 'nowhere',
  AWS_ACCESS_KEY_ID: 'unused',
  AWS_SECRET_ACCESS_KEY: 'unused',
  AWS_REGION: 'us-east-1',
  STACK_DATA_DIR: path.join(os.tmpdir(), 'rt-broll-plan-no-stack-env'),
};

test('broll plan through the CLI with the stack down: a table, or exactly one JSON document with --json', async () => {
  const table = await runCli(['broll', 'plan', '--file', example], downEnv);
  expect(table.stderr).toBe('');
  expect(table.code).toBe(0);
  for (const [id] of EXAMPLE_SEGMENTS) expect(table.stdout).toMatch(new RegExp(`^${id} +\\d\\d:\\d\\d:\\d\\d\\.\\d{3}`, 'm'));
  expect(table.stdout).toContain('00:00:42.600 00:00:51.000');
  expect(table.stdout).toContain('prompt (nlp): The lighthouse turning over a quiet harbour each night');
  expect(table.stdout).toContain('16 takes, 102 s of video, 1224 credits');

  const json = await runCli(['broll', 'plan', '--file', example, '--json'], downEnv);
  expect(json.code).toBe(0);
  expect(json.stderr).toBe('');
  const { project, baseDir } = await loadBrollProjectFile(example);
  expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(await draftBrollPlan(project, baseDir))));

  const broken = write('broken-project.json', JSON.stringify({ projectId: 'p', transcript: 'overlap.srt', brief }));
  write('overlap.srt', '1\n00:00:00,000 --> 00:00:05,000\nOne.\n\n2\n00:00:04,000 --> 00:00:08,000\nTwo.\n');
  const bad = await runCli(['broll', 'plan', '--file', broken, '--json'], downEnv);
  expect(bad.code).toBe(2);
  expect(bad.stdout).toBe('');
  const lines = bad.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: transcript: overlap\.srt line 5: .*overlapping timecodes/);
}, 120_000);

function srtTime(ms: number): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)},${pad(ms % 1000, 3)}`;
}
