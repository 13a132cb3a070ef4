import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  LOUDNESS_TARGET,
  loudnessApplyFilter,
  loudnessGain,
  integratedLoudness,
  loudnessMeasureFilter,
  narrationLoudness,
  parseLoudnessReport,
  parseVoiceoverLoudness,
} from '../../activities/delivery/loudness';
import { loudnessMeasureArgsGraphFromStdin, loudnessMeasureGraph, voiceoverLoudnessArgs } from '../../activities/assembly-media';
import { ffmpegPath } from '../../infra/ffmpeg';
import { measureLoudness } from '../helpers/audio';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loudness-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function firstPass(input: string[]): Promise<string> {
  const { stderr } = await run(ffmpegPath(), [
    '-hide_banner',
    '-nostats',
    '-nostdin',
    ...input,
    '-af',
    loudnessMeasureFilter(),
    '-f',
    'null',
    '-',
  ]);
  return stderr;
}

async function normalised(name: string, input: string[]) {
  const measured = parseLoudnessReport(await firstPass(input));
  expect(measured).toBeDefined();
  const out = path.join(dir, name);
  await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...input, '-af', loudnessApplyFilter(measured!), out]);
  return { measured: measured!, result: await measureLoudness(fs.readFileSync(out)) };
}

test('two passes bring a quiet voice to −16 LUFS integrated by one gain, its true peak under −1 dBTP', async () => {
  const { measured, result } = await normalised('quiet.wav', [
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=220:sample_rate=44100:duration=6,volume=0.2',
  ]);
  expect(measured.integratedLufs).toBeLessThan(-25);
  expect(loudnessGain(measured).limited).toBe(false);
  expect(Math.abs(result.integratedLufs - LOUDNESS_TARGET.integratedLufs)).toBeLessThanOrEqual(0.5);
  expect(result.truePeakDbtp).toBeLessThanOrEqual(-1);
});

test('a quiet voice with loud clicks reaches −16 LUFS too: a limiter holds the peaks under −1 dBTP', async () => {
  // A soft tone with a near full-scale click (0.2 ms) every second: the gain it needs would push the clicks far over 0 dBFS.
  const clicks = ['-f', 'lavfi', '-i', "aevalsrc='0.05*sin(2*PI*220*t)+if(lt(mod(t\\,1)\\,0.0002)\\,0.95\\,0)':s=48000:d=8"];
  const { measured, result } = await normalised('clicks.wav', clicks);
  expect(loudnessGain(measured).limited).toBe(true);
  expect(Math.abs(result.integratedLufs - LOUDNESS_TARGET.integratedLufs)).toBeLessThanOrEqual(1);
  expect(result.truePeakDbtp).toBeLessThanOrEqual(-1);
});

test('silence is reported as nothing to normalise, never amplified', async () => {
  expect(parseLoudnessReport(await firstPass(['-f', 'lavfi', '-i', 'anullsrc=sample_rate=48000', '-t', '3']))).toBeUndefined();
});

test('the summary is read from the end of ffmpeg stderr; none at all is an error', () => {
  const summary = `[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -22.9 LUFS\n    Threshold: -33.1 LUFS\n\n  Loudness range:\n    LRA:         1.8 LU\n\n  Sample peak:\n    Peak:      -21.5 dBFS\n`;
  expect(parseLoudnessReport(`Stream #0:0 I: -5 LUFS\n${summary}`)).toEqual({ integratedLufs: -22.9, samplePeakDbfs: -21.5 });
  expect(() => parseLoudnessReport('ffmpeg said nothing useful')).toThrow(/no ebur128 summary/);
});

/** Three voices of different levels and lengths, with pauses: the relative gate has quiet blocks to drop. */
const VOICES = [
  "aevalsrc='0.30*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*1.3*t))':s=44100:d=4.3",
  "aevalsrc='if(lt(t\\,1.5)\\,0.08\\,0.01)*sin(2*PI*330*t)':s=24000:d=3.1",
  "aevalsrc='0.5*sin(2*PI*180*t)*lt(mod(t\\,1)\\,0.7)':s=48000:d=5.6",
];

async function voiceFiles(): Promise<string[]> {
  return Promise.all(
    VOICES.map(async (source, index) => {
      const file = path.join(dir, `voice-${index}.m4a`);
      await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', source, '-c:a', 'aac', file]);
      return file;
    }),
  );
}

test("one voiceover's gating blocks give back ffmpeg's own integrated loudness and sample peak", async () => {
  for (const file of await voiceFiles()) {
    const { stderr } = await run(ffmpegPath(), voiceoverLoudnessArgs(file), { maxBuffer: 64 * 1024 * 1024 });
    const own = parseLoudnessReport(stderr)!;
    const measured = parseVoiceoverLoudness(stderr);
    expect(measured.blocks.length).toBeGreaterThan(10);
    // The blocks are printed to 0.1 LU; ffmpeg gates its own in 0.1 LU bins.
    expect(Math.abs(integratedLoudness(measured.blocks)! - own.integratedLufs)).toBeLessThanOrEqual(0.1);
    expect(measured.samplePeakDbfs).toBe(own.samplePeakDbfs);
  }
});

test("a narration's loudness from its voiceovers measured one by one is within 0.3 LU of one pass over all of them", async () => {
  const files = await voiceFiles();
  const each = await Promise.all(
    files.map(async (file) =>
      parseVoiceoverLoudness((await run(ffmpegPath(), voiceoverLoudnessArgs(file), { maxBuffer: 64 * 1024 * 1024 })).stderr),
    ),
  );
  const whole = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      ffmpegPath(),
      loudnessMeasureArgsGraphFromStdin(files),
      { maxBuffer: 64 * 1024 * 1024 },
      (error, _out, stderr) => (error ? reject(error) : resolve(stderr)),
    );
    child.stdin!.end(loudnessMeasureGraph(files.length));
  });
  const combined = narrationLoudness(each)!;
  const onePass = parseLoudnessReport(whole)!;
  expect(Math.abs(combined.integratedLufs - onePass.integratedLufs)).toBeLessThanOrEqual(0.3);
  expect(combined.samplePeakDbfs).toBe(onePass.samplePeakDbfs);
});

test('gating: nothing above −70 LUFS is silence; blocks 10 LU under the mean are left out', () => {
  expect(integratedLoudness([])).toBeUndefined();
  expect(integratedLoudness([-75, -90])).toBeUndefined();
  expect(integratedLoudness([-20, -20, -20])).toBeCloseTo(-20, 6);
  // The −45 blocks are under −20's relative gate (about −30.6 here) and do not pull the result down.
  expect(integratedLoudness([-20, -20, -20, -45, -45])).toBeCloseTo(-20, 6);
  // Within the gate, energies (not decibels) are averaged: −20 and −26 give about −22.0, not −23.
  expect(integratedLoudness([-20, -26])).toBeCloseTo(
    -0.691 + 10 * Math.log10((10 ** ((-20 + 0.691) / 10) + 10 ** ((-26 + 0.691) / 10)) / 2),
    6,
  );
  expect(narrationLoudness([{ blocks: [], samplePeakDbfs: null }])).toBeUndefined();
  expect(
    narrationLoudness([
      { blocks: [-20], samplePeakDbfs: -6 },
      { blocks: [-30], samplePeakDbfs: -3 },
    ])?.samplePeakDbfs,
  ).toBe(-3);
});

test('the per-block lines of a filter instance ffmpeg dropped unused are not counted; no summary is an error', () => {
  const line = (address: string, m: string) =>
    `[Parsed_ebur128_1 @ ${address}] t: 0.5  TARGET:-23 LUFS    M: ${m} S:-120.7     I: -70.0 LUFS\n`;
  const summary = (address: string, peak: string) =>
    `[Parsed_ebur128_1 @ ${address}] Summary:\n\n  Integrated loudness:\n    I:  -20.0 LUFS\n\n  Sample peak:\n    Peak:  ${peak} dBFS\n`;
  const stderr = summary('0xa', '-inf') + line('0xb', '-120.7') + line('0xb', '-21.0') + line('0xb', '-19.5') + summary('0xb', '-4.2');
  expect(parseVoiceoverLoudness(stderr)).toEqual({ blocks: [-21, -19.5], samplePeakDbfs: -4.2 });
  expect(parseVoiceoverLoudness(summary('0xc', '-inf'))).toEqual({ blocks: [], samplePeakDbfs: null });
  expect(() => parseVoiceoverLoudness('nothing')).toThrow(/no ebur128 summary/);
});
