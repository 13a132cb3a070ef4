import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as yaml } from 'yaml';
import { parseTranscript, type TranscriptFormat, type TranscriptSegment } from '../../client/broll/transcript';
import { fuzz, fuzzSetup, mutatedJson, mutatedText, outcomeOf, type Outcome } from '../helpers/fuzz';

/**
 * B-roll projects and their transcripts (SRT, WebVTT, plain text), generated and mutated from the shipped example:
 * each transcript parses into a forward, non-overlapping timeline or is refused naming its line; each project
 * starts (reaching the unconnected client) or is refused with an InputError naming a field or a line.
 */
const examples = path.resolve(__dirname, '..', '..', 'examples', 'broll');
const project = parseYaml(fs.readFileSync(path.join(examples, 'harbour-town.yaml'), 'utf8')) as Record<string, unknown>;
const srt = fs.readFileSync(path.join(examples, 'harbour-town.srt'), 'utf8');
/** The same narration as WebVTT (header, cue ids dropped, dotted milliseconds) and as paragraphs of plain text. */
const vtt = `WEBVTT\n\n${srt
  .split(/\n\s*\n/)
  .map((cue) =>
    cue
      .trim()
      .split('\n')
      .slice(1)
      .join('\n')
      .replace(/,(\d{3})/g, '.$1'),
  )
  .join('\n\n')}\n`;
const text = srt
  .split(/\n\s*\n/)
  .map((cue) => cue.trim().split('\n').slice(2).join(' '))
  .join('\n\n');
const seeds: Record<TranscriptFormat, string> = { srt, vtt, text };
const { api, dir } = fuzzSetup('broll');
// The example's photographs beside the files written here, as beside the example: the example itself starts.
fs.cpSync(path.join(examples, 'photos'), path.join(dir, 'photos'), { recursive: true });

/** A parsed transcript keeps its promises: segments in order, each with words and a positive span, none overlapping. */
function checkTimeline(segments: TranscriptSegment[]): void {
  if (segments.length === 0) throw new Error('parsed to no segments');
  segments.forEach((segment, index) => {
    if (!(segment.outMs > segment.inMs) || !Number.isSafeInteger(segment.inMs))
      throw new Error(`segment ${index + 1} spans ${segment.inMs}–${segment.outMs}`);
    if (!/[\p{L}\p{N}]/u.test(segment.text)) throw new Error(`segment ${index + 1} has no words`);
    if (index > 0 && segment.inMs < segments[index - 1]!.outMs) throw new Error(`segment ${index + 1} overlaps the one before`);
  });
}

for (const format of ['srt', 'vtt', 'text'] as const) {
  test(`${format} transcripts, mutated and generated: a forward timeline or an InputError naming the line`, async () => {
    const input = fc.oneof({ weight: 4, arbitrary: mutatedText(seeds[format]) }, { weight: 1, arbitrary: fc.string({ maxLength: 300 }) });
    const tally = await fuzz(input, (transcript) =>
      outcomeOf(() => checkTimeline(parseTranscript(transcript, { format, name: `narration.${format}`, wordsPerSecond: 2.5 }))),
    );
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.accepted).toBeGreaterThan(0);
  }, 60_000);
}

interface ProjectInput {
  project: unknown;
  format: TranscriptFormat;
  transcript: string | undefined;
  asYaml: boolean;
}

test('project files with their transcripts, mutated from the example: started or refused with a named field or line', async () => {
  let written = 0;
  const input: fc.Arbitrary<ProjectInput> = fc.record({
    project: fc.oneof({ weight: 3, arbitrary: mutatedJson(project) }, { weight: 1, arbitrary: fc.constant<unknown>(project) }),
    format: fc.constantFrom<TranscriptFormat>('srt', 'vtt', 'text'),
    transcript: fc.option(fc.oneof(mutatedText(srt), mutatedText(vtt), mutatedText(text)), { nil: undefined }),
    asYaml: fc.boolean(),
  });
  const start = async ({ project: value, format, transcript, asYaml }: ProjectInput): Promise<Outcome> => {
    const slot = written++ % 50;
    const transcriptFile = `t${slot}.${format === 'text' ? 'txt' : format}`;
    fs.writeFileSync(path.join(dir, transcriptFile), transcript ?? seeds[format]);
    const withTranscript =
      typeof value === 'object' && value !== null && (value as { transcript?: unknown }).transcript === project.transcript
        ? { ...value, transcript: transcriptFile }
        : value;
    if (!asYaml) return outcomeOf(() => api.broll.start(withTranscript as never, dir));
    const file = path.join(dir, `p${slot}.yaml`);
    fs.writeFileSync(file, yaml(withTranscript));
    return outcomeOf(() => api.broll.start(file));
  };
  const tally = await fuzz(input, start);
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);
