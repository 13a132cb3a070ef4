import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LOUDNESS_TARGET, loudnessApplyFilter, loudnessMeasureFilter, parseLoudnessReport } from '../../activities/delivery/loudness';
import { ffmpegPath } from '../../infra/ffmpeg';
import { measureLoudness } from '../helpers/audio';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loudness-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function firstPass(input: string[]): Promise<string> {
  const { stderr } = await run(ffmpegPath(), ['-hide_banner', '-nostdin', ...input, '-af', loudnessMeasureFilter(), '-f', 'null', '-']);
  return stderr;
}

test('two passes bring a quiet voice to −16 LUFS integrated, its true peak under −1 dBTP', async () => {
  const quiet = ['-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=44100:duration=6,volume=0.2'];
  const measured = parseLoudnessReport(await firstPass(quiet));
  expect(measured).toBeDefined();
  expect(measured!.integratedLufs).toBeLessThan(-25);
  const out = path.join(dir, 'normalised.wav');
  await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...quiet, '-af', loudnessApplyFilter(measured!), out]);
  const result = await measureLoudness(fs.readFileSync(out));
  expect(Math.abs(result.integratedLufs - LOUDNESS_TARGET.integratedLufs)).toBeLessThanOrEqual(0.5);
  expect(result.truePeakDbtp).toBeLessThanOrEqual(-1);
});

test('silence is reported as nothing to normalise, never amplified', async () => {
  expect(parseLoudnessReport(await firstPass(['-f', 'lavfi', '-i', 'anullsrc=sample_rate=48000', '-t', '3']))).toBeUndefined();
});

test('a report is read from the end of ffmpeg stderr; none at all is an error', () => {
  const report = `[Parsed_loudnorm_0 @ 0x1]\n{\n\t"input_i" : "-22.91",\n\t"input_tp" : "-21.51",\n\t"input_lra" : "1.80",\n\t"input_thresh" : "-33.08",\n\t"output_i" : "-16.19",\n\t"target_offset" : "0.19"\n}\n`;
  expect(parseLoudnessReport(`Stream #0:0 {not json}\n${report}`)).toEqual({
    integratedLufs: -22.91,
    truePeakDbtp: -21.51,
    rangeLu: 1.8,
    thresholdLufs: -33.08,
    offsetLu: 0.19,
  });
  expect(() => parseLoudnessReport('ffmpeg said nothing useful')).toThrow(/no loudnorm report/);
});
