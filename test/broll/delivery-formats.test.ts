import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatCmx3600 } from '../../infra/delivery/cmx3600';
import { makeContactSheet } from '../../infra/delivery/contact-sheet';
import { formatDeliveryCsv } from '../../infra/delivery/edit-list-csv';
import { formatFcpXml } from '../../infra/delivery/fcp-xml';
import { fileUrl } from '../../infra/delivery/media-path';
import { MEZZANINE_SPEC, mezzanineArgs, mezzanineFileName, type MezzanineKind } from '../../infra/delivery/mezzanine';
import { timelineEvents, type DeliverySegment } from '../../infra/delivery/timeline';
import { ffmpegPath, ffprobePath } from '../../infra/ffmpeg';
import { clipFileName } from '../../schemas';
import { readWithOtio } from '../helpers/otio';

/**
 * The delivery formats read back the way editors' tools read them: the EDL and the FCP 7 XML through
 * OpenTimelineIO's own adapters (timecodes, durations, media paths that exist), the mezzanine files and
 * the contact sheet through ffprobe.
 */
const exec = promisify(execFile);
const run = async (file: string, args: string[]) => (await exec(file, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
const FPS = 25;
const PROJECT = 'saltmarsh-harbour';
let dir: string;

/** Cues as the harbour-town transcript times them; s03 has no clip; s04's clip (4 s) is shorter than its cue (7.8 s). */
const cues: Array<[string, number, number, number | undefined, number]> = [
  ['s01', 0, 4_200, 5, 1],
  ['s02', 4_800, 11_400, 7, 2],
  ['s03', 12_000, 15_500, undefined, 1],
  ['s04', 16_000, 23_800, 4, 1],
];
let segments: DeliverySegment[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-delivery-'));
  segments = [];
  for (const [segmentId, recordInMs, recordOutMs, seconds, take] of cues) {
    const segment: DeliverySegment = {
      segmentId,
      recordInMs,
      recordOutMs,
      text: `Narration of ${segmentId}, with "quotes"`,
      promptText: `=A shot of ${segmentId} & <more>`,
      round: 1,
      approval: 'approved',
    };
    if (seconds !== undefined) {
      const name = clipFileName(PROJECT, segmentId, take);
      // 24 fps H.264 like Runway's output: the timeline is 25 fps, the mezzanine conforms it.
      await run(ffmpegPath(), [
        '-hide_banner',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=1280x720:rate=24:duration=${seconds}`,
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        path.join(dir, name),
      ]);
      segment.clip = {
        name,
        take,
        key: `broll/${PROJECT}/${segmentId}-t${take}/${name}`,
        sha256: 'a'.repeat(64),
        durationSeconds: seconds,
      };
    }
    segments.push(segment);
  }
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('clip names an editor can read, the same everywhere', () => {
  expect(clipFileName(PROJECT, 's01', 2)).toBe('saltmarsh-harbour-s01-t2.mp4');
  expect(() => clipFileName('../x', 's01', 1)).toThrow(/not a safe file name part/);
  expect(() => clipFileName(PROJECT, 's01', 0)).toThrow(/not a take number/);
});

test('the CMX 3600 EDL parses in OpenTimelineIO: record timecodes, source = record durations, clips linked to files in the folder', async () => {
  const events = timelineEvents(segments, FPS);
  const edlPath = path.join(dir, `${PROJECT}.edl`);
  fs.writeFileSync(edlPath, formatCmx3600(PROJECT, events, FPS, dir));
  const timeline = await readWithOtio(edlPath, 'cmx_3600', FPS);
  const items = timeline.tracks[0]!.items.filter((item) => item.duration > 0);
  const clips = items.filter((item) => item.kind === 'Clip');
  expect(clips.map((clip) => [clip.name, clip.recordIn, clip.duration, clip.sourceIn, clip.sourceDuration])).toEqual([
    ['saltmarsh-harbour-s01-t1.mp4', 0, 105, 0, 105], // 4.2 s cue, 5 s clip: trimmed to the cue
    ['saltmarsh-harbour-s02-t2.mp4', 120, 165, 0, 165], // 00:00:04:20 → 00:00:11:10
    ['003', 300, 88, 0, 88], // black (BL): the gap the editor sees
    ['saltmarsh-harbour-s04-t1.mp4', 400, 100, 0, 100], // 4 s clip in a 7.8 s cue: ends with the clip
  ]);
  const linked = clips.filter((clip) => clip.reference === 'ExternalReference');
  expect(linked).toHaveLength(3);
  for (const clip of linked) expect(fs.existsSync(clip.targetUrl!)).toBe(true);
  expect(clips[2]!.reference).toBe('GeneratorReference');
});

test('an event whose source runs the whole clip, as the edit list before this one wrote it, is refused by OpenTimelineIO', async () => {
  const edlPath = path.join(dir, 'before.edl');
  fs.writeFileSync(
    edlPath,
    [
      'TITLE: before',
      'FCM: NON-DROP FRAME',
      '',
      '001  AX       V     C        00:00:00:00 00:00:07:00 00:00:00:00 00:00:06:05',
      '* FROM CLIP NAME: 57bf8cc0.mp4',
      '',
    ].join('\r\n'),
  );
  await expect(readWithOtio(edlPath, 'cmx_3600', FPS)).rejects.toThrow(/Source and record duration don't match/);
});

test('the FCP 7 XML parses in OpenTimelineIO: one clip per segment at its record frames, trimmed, each linked to its file', async () => {
  const events = timelineEvents(segments, FPS);
  const xmlPath = path.join(dir, `${PROJECT}.xml`);
  fs.writeFileSync(xmlPath, formatFcpXml(events, { title: PROJECT, fps: FPS, width: 1280, height: 720, mediaRoot: dir }));
  const timeline = await readWithOtio(xmlPath, 'fcp_xml', FPS);
  expect(timeline.name).toBe(PROJECT);
  const video = timeline.tracks.filter((track) => track.kind === 'Video');
  expect(video).toHaveLength(1);
  const clips = video[0]!.items.filter((item) => item.kind === 'Clip');
  expect(clips.map((clip) => [clip.name, clip.recordIn, clip.duration, clip.sourceIn, clip.sourceDuration])).toEqual([
    ['saltmarsh-harbour-s01-t1', 0, 105, 0, 105],
    ['saltmarsh-harbour-s02-t2', 120, 165, 0, 165],
    ['saltmarsh-harbour-s04-t1', 400, 100, 0, 100],
  ]);
  for (const clip of clips) {
    expect(clip.targetUrl).toMatch(/^file:\/\/localhost\//);
    const file = decodeURIComponent(new URL(clip.targetUrl!).pathname);
    expect(fs.existsSync(file)).toBe(true);
    expect(path.dirname(file)).toBe(dir);
  }
  // The gap where s03 has no clip stays a gap of its length.
  expect(video[0]!.items.find((item) => item.kind === 'Gap' && item.recordIn === 285)?.duration).toBe(115);
});

test('--media-root rewrites every link for another machine (POSIX and Windows); names with spaces are encoded', async () => {
  const events = timelineEvents(segments, FPS);
  for (const [root, expected] of [
    ['/Volumes/Edit Drive/saltmarsh', 'file://localhost/Volumes/Edit%20Drive/saltmarsh/saltmarsh-harbour-s01-t1.mp4'],
    ['D:\\Edit\\saltmarsh', 'file://localhost/D:/Edit/saltmarsh/saltmarsh-harbour-s01-t1.mp4'],
  ] as const) {
    const xmlPath = path.join(dir, 'rooted.xml');
    fs.writeFileSync(xmlPath, formatFcpXml(events, { title: PROJECT, fps: FPS, width: 1280, height: 720, mediaRoot: root }));
    const clips = (await readWithOtio(xmlPath, 'fcp_xml', FPS)).tracks[0]!.items.filter((item) => item.kind === 'Clip');
    expect(clips[0]!.targetUrl).toBe(expected);
    expect(fileUrl(`${root.replace(/\\/g, '/')}/x.mp4`)).toMatch(/^file:\/\/localhost\//);
  }
});

test('the CSV lists the same events, names and timecodes, and defuses formula-like text', () => {
  const lines = formatDeliveryCsv(timelineEvents(segments, FPS), FPS).split('\r\n');
  expect(lines[0]).toBe('event,segmentId,take,clipName,recordIn,recordOut,sourceIn,sourceOut,frames,approval,round,sha256,promptText,text');
  expect(lines[1]).toBe(
    `1,s01,1,saltmarsh-harbour-s01-t1.mp4,00:00:00:00,00:00:04:05,00:00:00:00,00:00:04:05,105,approved,1,${'a'.repeat(64)},'=A shot of s01 & <more>,"Narration of s01, with ""quotes"""`,
  );
  expect(lines[3]).toMatch(/^3,s03,,,00:00:12:00,00:00:15:13,00:00:00:00,00:00:03:13,88,missing,1,,/);
});

test.each(['prores', 'dnxhr'] as MezzanineKind[])(
  'the %s mezzanine: codec, profile, the timeline frame rate and every frame',
  async (kind) => {
    const clip = segments[0]!.clip!;
    const output = path.join(dir, mezzanineFileName(clip.name, kind));
    await run(ffmpegPath(), mezzanineArgs(path.join(dir, clip.name), output, kind, FPS));
    expect(path.basename(output)).toBe(`saltmarsh-harbour-s01-t1-${kind}.mov`);
    const probe = JSON.parse(
      await run(ffprobePath(), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_streams', '-of', 'json', output]),
    ) as { streams: Array<Record<string, string>> };
    const stream = probe.streams[0]!;
    const spec = MEZZANINE_SPEC[kind];
    expect({
      codec: stream.codec_name,
      profile: stream.profile,
      pixFmt: stream.pix_fmt,
      rate: stream.r_frame_rate,
      frames: Number(stream.nb_read_frames),
    }).toEqual({
      codec: spec.codec,
      profile: spec.profile,
      pixFmt: spec.pixFmt,
      rate: '25/1',
      frames: 5 * FPS,
    });
  },
  120_000,
);

test('the contact sheet: a labelled frame per take, a row per segment, a dark cell for a take without a clip', async () => {
  const work = fs.mkdtempSync(path.join(dir, 'sheet-'));
  const output = path.join(dir, 'contact-sheet.jpg');
  const cells = [
    { label: 's01 · take 1', file: path.join(dir, clipFileName(PROJECT, 's01', 1)), atSeconds: 2.5 },
    { label: 's01 · take 2 (failed)' },
    { label: "s02 · take 2: it's 100%", file: path.join(dir, clipFileName(PROJECT, 's02', 2)), atSeconds: 3.5 },
    { label: 's04 · take 1', file: path.join(dir, clipFileName(PROJECT, 's04', 1)), atSeconds: 2 },
  ];
  expect(await makeContactSheet(run, ffmpegPath(), cells, 2, work, output)).toEqual({ columns: 2, rows: 2 });
  const probe = JSON.parse(await run(ffprobePath(), ['-v', 'error', '-show_streams', '-of', 'json', output])) as {
    streams: Array<{ codec_name: string; width: number; height: number }>;
  };
  // Two 320×180 cells a row, two rows, 8 px margins and padding.
  expect(probe.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 2 * 320 + 8 + 2 * 8, height: 2 * 180 + 8 + 2 * 8 });
}, 120_000);
