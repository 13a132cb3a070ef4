import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadExplainerFile, parseExplainerFile } from '../../client/explainer/explainer-file';
import { describeExplainerPlan, draftExplainerPlan, planExplainer, type ExplainerPlan } from '../../client/explainer/plan';
import { requestFingerprint } from '../../infra/request-fingerprint';
import { MODEL_CATALOG, explainerWorkflowInputSchema, speechCreditsFor, creditsFor, type ExplainerFileInput } from '../../schemas';
import { s3Client, testStack } from '../helpers/stack';
import { runCli } from '../helpers/worker-process';

/**
 * Planning an explainer happens before any spend and without the stack: the script's narration cut into
 * chunks a narrator says in about 5 s (never longer than the model's longest clip), a prompt per chunk,
 * fitted clip durations and the credits of clips and voiceovers, the same every time; every mistake in
 * the explainer file or its script is reported as itself, naming the field.
 */
const projectRoot = path.resolve(__dirname, '../..');
const example = path.join(projectRoot, 'examples/explainer/why-the-sky-is-blue.yaml');
const heroImage = path.join(projectRoot, 'examples/assets/hero-product.jpg');

let workDir: string;
let s3: S3Client;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-explainer-plan-'));
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

const brief = { model: 'gen4.5', ratio: '1280:720', style: 'clean flat illustration', voice: 'Maya' };

function planOf(script: ExplainerFileInput['script'], file: Partial<ExplainerFileInput> = {}): Promise<ExplainerPlan> {
  return draftExplainerPlan(parseExplainerFile({ explainerId: 'case', script, brief, ...file }), workDir);
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

const STYLE = 'clean flat vector illustration, soft pastel colours, simple shapes, gentle motion, educational animation';
const CUE = 'The sun low on the horizon, its light crossing a thick band of air, the sky glowing red and orange';

/** The example's plan, fixed: a change in reading, cutting, keywords, fitting or pricing shows up here. */
/** The example's chunks: all within 4–6 s of speech; each prompt the shared writer's visual description, or the paragraph's cue. */
const EXAMPLE_CHUNKS = [
  ['c01', 1, 'Why the sky is blue. Sunlight looks white to our eyes.', 4400, 5, 60, 2, 'The sky seen in a slow pan,'],
  [
    'c02',
    1,
    'But it is a mix of every colour, each a wave of its own length.',
    6000,
    6,
    72,
    2,
    'Each a wave of its own length seen in a slow pan,',
  ],
  [
    'c03',
    2,
    'When sunlight enters the air, it meets tiny gas molecules.',
    4000,
    4,
    48,
    2,
    'A mix of every colour meeting tiny gas molecules,',
  ],
  [
    'c04',
    2,
    'They scatter short blue waves far more than long red ones.',
    4400,
    5,
    60,
    2,
    'Tiny gas molecules scattering short blue waves far more than long red ones,',
  ],
  ['c05', 2, 'So blue light reaches us from every part of the sky.', 4400, 5, 60, 2, 'Blue light reaching us from every part of the sky,'],
  ['c06', 3, 'At sunset, the light crosses much more air on its way to us.', 5200, 6, 72, 2, `${CUE}.`],
  ['c07', 3, 'The blue is scattered away, and the reds and oranges are left.', 4800, 5, 60, 2, `${CUE}.`],
] as const;

test('the example plans the same every time: chunks, prompts, fitted durations and credits, each chunk within the model', async () => {
  const { explainer, baseDir } = await loadExplainerFile(example);
  const plan = await draftExplainerPlan(explainer, baseDir);
  expect(
    plan.chunks.map((c) => [c.chunkId, c.paragraph, c.text, c.spokenMs, c.duration, c.clipCredits, c.voiceoverCredits, c.promptText]),
  ).toEqual(EXAMPLE_CHUNKS.map((row) => [...row.slice(0, 7), `${row[7]} ${STYLE}`]));
  expect(plan.chunks.map((c) => c.promptSource)).toEqual(['nlp', 'nlp', 'nlp', 'nlp', 'nlp', 'cue', 'cue']);
  // Every clip starts from the style reference image; no prompt is a word list.
  expect(
    plan.chunks.every((c) => c.endpoint === 'image_to_video' && c.promptImage === 'style-reference.png' && c.baseFrame === 'style image'),
  ).toBe(true);
  for (const chunk of plan.chunks) expect(chunk.promptText).not.toMatch(/^(\w+, ){3,}/);
  expect(plan.distribution).toEqual({ chunks: 7, withinBand: 7, minMs: 4000, medianMs: 4400, maxMs: 6000, bandMs: [4000, 6000] });
  expect(plan).toMatchObject({
    explainerId: 'why-the-sky-is-blue',
    script: { format: 'markdown', paragraphs: 3 },
    model: 'gen4.5',
    ratio: '1280:720',
    voice: 'Maya',
    speechModel: 'eleven_multilingual_v2',
    maxChunkSeconds: 10,
    title: 'Why the sky is blue',
    language: 'en',
    styleImage: 'style-reference.png',
    spokenMs: 33_200,
    clipSeconds: 36,
    clipCredits: 432,
    speechCredits: 14,
    estimatedCredits: 446,
    budgetCredits: 1000,
    archive: { prefix: 'explainers/' },
    burnSubtitles: false,
  });
  for (const chunk of plan.chunks) {
    expect(chunk.spokenMs).toBeLessThanOrEqual(plan.maxChunkSeconds * 1000);
    expect(MODEL_CATALOG['gen4.5'].durations).toContain(chunk.duration);
    expect(chunk.duration * 1000).toBeGreaterThanOrEqual(chunk.spokenMs);
    expect(chunk.clipCredits).toBe(creditsFor('gen4.5', chunk.duration));
    expect(chunk.voiceoverCredits).toBe(speechCreditsFor('eleven_multilingual_v2', chunk.text));
  }
  // Same file, same plan, to the byte.
  expect(JSON.stringify(await draftExplainerPlan((await loadExplainerFile(example)).explainer, baseDir))).toBe(JSON.stringify(plan));
  const table = describeExplainerPlan(plan);
  expect(table).toContain(
    'c07       3   4.8s   5s      60        2 style image      The blue is scattered away, and the reds and oranges are left.',
  );
  expect(table).toContain('speech per chunk: 7 of 7 chunks within 4–6 s; min 4.0s, median 4.4s, max 6.0s');
  expect(table[table.length - 1]).toBe(
    '7 chunks, 33.2s of narration, 36 s of video; 432 credits for clips + 14 for voiceovers = 446 credits at list price; budget 1000 credits',
  );
});

/** A long lesson: sentences of every length, some only cuttable at their clauses. */
const LONG_SCRIPT = [
  'Plants make their own food. They do it with light, water and air, in a process called photosynthesis.',
  'Inside every leaf are millions of tiny green structures called chloroplasts, and each of them holds a pigment, chlorophyll, that absorbs red and blue light but reflects green; that is why leaves look green to us.',
  'The plant splits water into hydrogen and oxygen. The oxygen leaves through small pores — we breathe it — while the hydrogen is combined with carbon dioxide into sugar. Sugar is food.',
].join('\n\n');

test('every chunk is cut at a sentence or clause boundary, within the target where it can be and never past the longest clip', async () => {
  write('long.md', LONG_SCRIPT);
  for (const [model, wordsPerSecond, targetChunkSeconds] of [
    ['gen4.5', 2.5, 5],
    ['gen4.5', 3, 4],
    ['veo3.1', 2, 8],
    ['veo3.1_fast', 2.5, 10],
  ] as const) {
    const plan = await planOf({ path: 'long.md' }, { brief: { ...brief, model, wordsPerSecond, targetChunkSeconds } });
    const max = Math.max(...MODEL_CATALOG[model].durations);
    expect(plan.maxChunkSeconds).toBe(max);
    for (const chunk of plan.chunks) {
      expect(chunk.spokenMs).toBeLessThanOrEqual(max * 1000);
      expect(chunk.spokenMs).toBe(Math.round((chunk.text.split(' ').filter((w) => /\w/.test(w)).length / wordsPerSecond) * 1000));
      expect(chunk.text).toMatch(/[.,;:!?—]$/);
      expect(MODEL_CATALOG[model].durations).toContain(chunk.duration);
      // The shortest allowed duration that covers the narration (fitDuration's rule).
      expect(chunk.duration).toBe(MODEL_CATALOG[model].durations.find((d) => d * 1000 >= chunk.spokenMs));
    }
    // The distribution the plan reports is the chunks' own.
    const target = Math.min(targetChunkSeconds, max) * 1000;
    const band = [Math.round(target * 0.8), Math.min(Math.round(target * 1.2), max * 1000)];
    expect(plan.distribution.bandMs).toEqual(band);
    expect(plan.distribution.withinBand).toBe(plan.chunks.filter((c) => c.spokenMs >= band[0]! && c.spokenMs <= band[1]!).length);
    // Nothing lost, nothing added: the chunks read back as the script.
    expect(plan.chunks.map((c) => c.text).join(' ')).toBe(LONG_SCRIPT.split('\n\n').join(' '));
    expect(new Set(plan.chunks.map((c) => c.chunkId)).size).toBe(plan.chunks.length);
  }
  const plan = await planOf({ path: 'long.md' });
  // The 40-word sentence about chloroplasts is cut at its clauses, not left as a 16 s chunk (its clauses
  // leave few cuts that fall within 4–6 s: chunk-cuts' own test shows the choice is the cheapest there is).
  expect(plan.chunks.some((c) => c.text.includes('Inside every leaf') && c.text.includes('why leaves look green'))).toBe(false);
  expect(plan.distribution.withinBand).toBeGreaterThanOrEqual(2);
  // "Sugar is food." (1.2 s) is not left alone: it runs with the sentence before it.
  expect(plan.chunks.find((c) => c.text === 'Sugar is food.')).toBeUndefined();
});

test('Markdown is reduced to narration: headings, emphasis, lists, links, quotes to their text; images and HTML dropped; code refused', async () => {
  const markdown = [
    '# Light and colour',
    '',
    'Light is *fast* and **bright**, see [the notes](https://example.com/notes) or `prisms`. ![a prism](prism.png) <br/>',
    '',
    '> A quoted line_with_underscores stays as __it is said__.',
    '',
    '- Red light',
    '- Green light!',
    '1. Blue light',
    '',
    '---',
    '',
    'Setext heading',
    '==============',
    '',
    'Last words.<!-- a note for the editor -->',
    '',
    '[notes]: https://example.com/notes',
  ].join('\n');
  const plan = await planOf(markdown, { brief: { ...brief, targetChunkSeconds: 10 } });
  expect(plan.chunks.map((c) => c.text).join(' ')).toBe(
    [
      'Light and colour. Light is fast and bright, see the notes or prisms.',
      'A quoted line_with_underscores stays as it is said.',
      'Red light. Green light! Blue light.',
      'Setext heading. Last words.',
    ].join(' '),
  );
  expect(plan.title).toBe('Light and colour');
  expect(plan.script).toEqual({ source: 'inline', format: 'markdown', paragraphs: 4 });

  const code = await inputError(planOf('# Loops\n\nA loop repeats.\n\n```js\nfor (;;) {}\n```\n'));
  expect(code.message).toContain('script: the script line 5: a code block cannot be narrated');
  // A .txt script is plain text: its asterisks are words as written.
  write('plain.txt', 'Three *times* four\nis twelve.\n\n# Not a heading\n');
  const text = await planOf({ path: 'plain.txt' });
  expect(text.script.format).toBe('text');
  expect(text.chunks.map((c) => c.text).join(' ')).toBe('Three *times* four is twelve. # Not a heading');
});

test('bad input is named by its field: empty script, a sentence too long for the longest clip, voice, model, ratio, visuals, missing script', async () => {
  const runOn =
    'This sentence goes on and on without a single comma or any other place where a narrator could stop to take a breath because it was written by someone who does not like punctuation at all.';
  const cases: Array<[ExplainerFileInput['script'], Partial<ExplainerFileInput>, string[]]> = [
    ['   \n\n  ', {}, ['script:', 'has no narration']],
    ['<!-- only a comment -->\n\n![an image](a.png)', {}, ['script:', 'has no narration']],
    [
      'A short start.\n\n' + runOn,
      {},
      ['script:', 'paragraph 2', 'This sentence goes on and on', "gen4.5's longest clip of 10 s", 'at a clause boundary'],
    ],
    [
      'A sentence, then a clause that is long enough to be spoken in well over eight seconds at this slow pace of speech.',
      { brief: { ...brief, model: 'veo3.1', wordsPerSecond: 1.5 } },
      ['script:', "veo3.1's longest clip of 8 s"],
    ],
    ['Fine.', { brief: { ...brief, voice: 'Morgan Freeman' } }, ['brief.voice', 'Morgan Freeman', 'Maya', 'Bernard']],
    ['Fine.', { brief: { ...brief, speechModel: 'eleven_v9' } }, ['brief.speechModel', 'eleven_multilingual_v2']],
    ['Fine.', { brief: { ...brief, model: 'gen9' } }, ['brief.model', 'gen4_turbo', 'gen4.5', 'veo3.1']],
    ['Fine.', { brief: { ...brief, ratio: '4:3' } }, ['brief.ratio', 'ratio 4:3 is not allowed for gen4.5', '1280:720']],
    [
      'Fine.',
      { brief: { ...brief, ratio: '1584:672' } },
      ['brief.ratio', 'not allowed for gen4.5 text_to_video', 'paragraph 1 has no image'],
    ],
    ['Fine.', { brief: { ...brief, model: 'gen4_turbo' } }, ['brief.model', 'needs promptImage', 'visuals.1.promptImage']],
    ['One.\n\nTwo.', { visuals: { '3': { promptText: 'A cue' } } }, ['visuals.3', 'no paragraph 3', 'has 2 paragraphs']],
    ['One.', { visuals: { first: { promptText: 'A cue' } } }, ['visuals.first', 'no paragraph first']],
    ['One.', { visuals: { '1': {} } }, ['visuals.1', 'promptText', 'promptImage']],
    ['One.', { visuals: { '1': { promptImage: './no-such.png' } } }, ['visuals.1.promptImage', 'no-such.png']],
    ['One.', { visuals: { '1': { promptText: 'x'.repeat(990) } } }, ['visuals.1.promptText', 'at most 1000']],
    [{ path: 'missing/lesson.md' }, {}, ['script.path', 'not found', 'missing/lesson.md']],
    [{ path: 'lesson.pdf' }, {}, ['script.path', '.md', '.txt']],
  ];
  for (const [script, file, mentions] of cases) {
    const error = await inputError(planOf(script, file));
    for (const mention of mentions) expect(error.message).toContain(mention);
  }
  // Schema errors name the file and the field.
  const yaml = write('no-voice.yaml', 'explainerId: e1\nscript: Hello.\nbrief:\n  model: gen4.5\n  ratio: "1280:720"\n  style: flat\n');
  const schemaError = await inputError(loadExplainerFile(yaml));
  expect(schemaError.message).toContain('no-voice.yaml');
  expect(schemaError.message).toContain('brief.voice');
  const empty = await inputError(Promise.resolve().then(() => parseExplainerFile({ explainerId: 'e', script: '', brief })));
  expect(empty.message).toContain('script must not be empty');
  await inputError(loadExplainerFile(path.join(workDir, 'nothing-here.yaml')));
});

test('planExplainer stages a paragraph image once, fingerprints every clip and voiceover and gives a valid ExplainerWorkflowInput', async () => {
  const { s3: stackS3 } = testStack();
  const { explainer, baseDir } = await loadExplainerFile(example);
  const context = { s3, defaultBucket: stackS3.bucket, defaultPrefix: 'plan-test/', baseDir };
  const input = explainerWorkflowInputSchema.parse(await planExplainer(explainer, context));
  expect(input.explainerId).toBe('why-the-sky-is-blue');
  expect(input.archive).toEqual({ bucket: stackS3.bucket, prefix: 'explainers/' });
  expect(input.budgetCredits).toBe(1000);
  expect(input.burnSubtitles).toBe(false);
  expect(input.options.pollIntervalMs).toBe(8000);
  expect(
    input.chunks.map((c) => [
      c.chunkId,
      c.paragraph,
      c.text,
      c.spokenMs,
      c.clip.request.duration,
      c.clip.estimatedCredits,
      c.voiceover.estimatedCredits,
    ]),
  ).toEqual(EXAMPLE_CHUNKS.map((row) => row.slice(0, 7)));
  for (const chunk of input.chunks) {
    expect(chunk.clip.request).toMatchObject({ model: 'gen4.5', ratio: '1280:720' });
    expect(chunk.voiceover.request).toEqual({ kind: 'speech', model: 'eleven_multilingual_v2', promptText: chunk.text, voice: 'Maya' });
    expect(chunk.clip.fingerprint).toBe(requestFingerprint(chunk.clip.request));
    expect(chunk.voiceover.fingerprint).toBe(requestFingerprint(chunk.voiceover.request));
  }
  const fingerprints = input.chunks.flatMap((c) => [c.clip.fingerprint, c.voiceover.fingerprint]);
  expect(new Set(fingerprints).size).toBe(14);
  // Same file, same fingerprints.
  expect((await planExplainer(explainer, context)).chunks.flatMap((c) => [c.clip.fingerprint, c.voiceover.fingerprint])).toEqual(
    fingerprints,
  );

  fs.copyFileSync(heroImage, path.join(workDir, 'diagram.jpg'));
  const withImage = parseExplainerFile({
    explainerId: 'image-case',
    script: 'One. Two.\n\nThree, four and five are a longer sentence than the first paragraph holds, with a clause or two.',
    brief: { ...brief, ratio: '16:9', targetChunkSeconds: 2 },
    visuals: { '2': { promptImage: 'diagram.jpg' } },
  });
  const staged = await planExplainer(withImage, { ...context, baseDir: workDir, taskQueue: 'explainer-queue' });
  expect(staged.taskQueue).toBe('explainer-queue');
  const images = staged.chunks.filter((c) => c.paragraph === 2).map((c) => c.clip.request.promptImage);
  expect(images.length).toBeGreaterThan(1);
  for (const image of images) expect(image).toEqual(images[0]);
  const image = images[0]!;
  if (image.kind !== 's3') throw new Error('the local image was not staged');
  expect(image.key).toContain(createHash('sha256').update(fs.readFileSync(heroImage)).digest('hex'));
  expect(image.key.startsWith('plan-test/')).toBe(true);
  expect(staged.chunks.filter((c) => c.paragraph === 1).every((c) => c.clip.request.promptImage === undefined)).toBe(true);
  expect(staged.chunks[0]!.clip.request.ratio).toBe('1280:720');
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
  STACK_DATA_DIR: path.join(os.tmpdir(), 'rt-explainer-plan-no-stack-env'),
};

test('explainer plan through the CLI with the stack down: a table, or exactly one JSON document with --json', async () => {
  const table = await runCli(['explainer', 'plan', '--file', example], downEnv);
  expect(table.stderr).toBe('');
  expect(table.code).toBe(0);
  for (const [id, , text] of EXAMPLE_CHUNKS)
    expect(table.stdout).toMatch(new RegExp(`^${id} .* ${text.replace(/[.*?()]/g, '\\$&')}$`, 'm'));
  expect(table.stdout).toContain(`prompt (cue): ${CUE}.`);
  expect(table.stdout).toContain('7 chunks, 33.2s of narration, 36 s of video; 432 credits for clips + 14 for voiceovers = 446 credits');

  const json = await runCli(['explainer', 'plan', '--file', example, '--json'], downEnv);
  expect(json.code).toBe(0);
  expect(json.stderr).toBe('');
  const { explainer, baseDir } = await loadExplainerFile(example);
  expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(await draftExplainerPlan(explainer, baseDir))));

  const broken = write(
    'unknown-voice.json',
    JSON.stringify({ explainerId: 'e', script: 'Hello there.', brief: { ...brief, voice: 'Nobody' } }),
  );
  const bad = await runCli(['explainer', 'plan', '--file', broken, '--json'], downEnv);
  expect(bad.code).toBe(2);
  expect(bad.stdout).toBe('');
  expect(bad.stderr).toMatch(/^error: .*brief\.voice: voice Nobody is not a eleven_multilingual_v2 preset/);
}, 120_000);
