import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  LOUDNESS_TARGET,
  loudnessApplyFilter,
  loudnessGain,
  loudnessMeasureFilter,
  parseLoudnessReport,
} from '../../activities/delivery/loudness';
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
