import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { probeClip } from '../../activities/clip-probe';
import { ffmpegPath, ffprobePath } from '../../infra/ffmpeg';

/** The in-process probe against ffprobe's reading of the same files. */
const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clip-probe-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function make(name: string, args: string[]): Promise<string> {
  const file = path.join(dir, name);
  await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args, file]);
  return file;
}

const video = (size: string, rate: string, seconds: number, extra: string[] = []) => [
  ...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-t', String(seconds)],
  ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...extra],
];

async function ffprobe(file: string) {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-of', 'json', file]);
  return (JSON.parse(stdout) as { streams: Array<{ width: number; height: number; r_frame_rate: string; duration: string }> }).streams[0]!;
}

test.each([
  ['24 fps, faststart', 'a.mp4', video('320x240', '24', 2, ['-movflags', '+faststart', '-an'])],
  ['NTSC rate, index at the end', 'b.mp4', video('640x360', '30000/1001', 3, ['-an'])],
  [
    'B-frames (an edit list), with an audio track longer than the picture',
    'c.mp4',
    [
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=duration=3'],
      ...[
        '-map',
        '0:v',
        '-map',
        '1:a',
        '-t:v',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'medium',
        '-bf',
        '2',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
      ],
    ],
  ],
])('%s: length, frame and rate as ffprobe reads them', async (_label, name, args) => {
  const file = await make(name, args);
  const [probe, reference] = await Promise.all([probeClip(file), ffprobe(file)]);
  expect(probe).toMatchObject({ codec: 'h264', width: reference.width, height: reference.height, frameRate: reference.r_frame_rate });
  expect(probe.seconds).toBeCloseTo(Number(reference.duration), 2);
});

test('clips made with the same recipe share a copy signature; another frame or encoder setting does not', async () => {
  const first = await probeClip(await make('same-1.mp4', video('320x240', '24', 1)));
  const second = await probeClip(await make('same-2.mp4', video('320x240', '24', 2)));
  const wider = await probeClip(await make('wide.mp4', video('480x240', '24', 1)));
  const otherProfile = await probeClip(await make('yuv444.mp4', [...video('320x240', '24', 1), '-pix_fmt', 'yuv444p']));
  expect(second.copySignature).toBe(first.copySignature);
  expect(wider.copySignature).not.toBe(first.copySignature);
  expect(otherProfile.copySignature).not.toBe(first.copySignature);
});

test('a file that is not an MP4, or has no picture, is refused with the reason', async () => {
  const text = path.join(dir, 'notes.mp4');
  fs.writeFileSync(text, 'not a video at all');
  await expect(probeClip(text)).rejects.toThrow(/not an MP4/);
  const audio = await make('audio.mp4', ['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac']);
  await expect(probeClip(audio)).rejects.toThrow(/no video track/);
});
