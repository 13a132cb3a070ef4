import {
  assembledProblems,
  canConcatByCopy,
  chunkTimings,
  concatList,
  formatVttTime,
  isFaststart,
  muxArgs,
  loudnessMeasureArgsGraphFromStdin,
  loudnessMeasureGraph,
  muxArgsGraphFromStdin,
  muxGraph,
  videoTarget,
  webVtt,
} from '../../activities/assembly-media';
import type { ClipProbe, MediaStreams } from '../../activities/clip-probe';

test('chunks start where the previous clip ends, rounded on the running sum', () => {
  expect(chunkTimings([2.0005, 3.0005, 1])).toEqual([
    { startMs: 0, endMs: 2001 },
    { startMs: 2001, endMs: 5001 },
    { startMs: 5001, endMs: 6001 },
  ]);
  expect(formatVttTime(3_723_004)).toBe('01:02:03.004');
});

test('WebVTT: one cue per chunk at its start, markup escaped, no blank line inside a cue, empty text skipped', () => {
  const vtt = webVtt([
    { startMs: 0, endMs: 5000, text: 'Cells divide <fast> & often' },
    { startMs: 5000, endMs: 9000, text: '   ' },
    { startMs: 9000, endMs: 14000, text: 'Line one\n\n\nline two' },
  ]);
  expect(vtt).toBe(
    'WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\nCells divide &lt;fast&gt; &amp; often\n\n2\n00:00:09.000 --> 00:00:14.000\nLine one\nline two\n',
  );
});

test('concat list quotes paths and pins each clip to its picture length', () => {
  expect(concatList([{ path: "/tmp/a'b.mp4", seconds: 2 }])).toBe("ffconcat version 1.0\nfile '/tmp/a'\\''b.mp4'\nduration 2.000000\n");
});

const h264 = (overrides: Partial<ClipProbe> = {}): ClipProbe => ({
  seconds: 5,
  codec: 'h264',
  width: 1280,
  height: 720,
  frameRate: '24/1',
  copySignature: 'h264|1280|720|24/1|aa',
  ...overrides,
});

test('clips are copied only when they are H.264 with one copy signature (frame, rate and parameter sets)', () => {
  expect(canConcatByCopy([h264(), h264({ seconds: 2 })])).toBe(true);
  expect(canConcatByCopy([h264(), h264({ copySignature: 'h264|960|720|24/1|aa' })])).toBe(false);
  expect(canConcatByCopy([h264({ codec: 'hvc1', copySignature: 'x' }), h264({ codec: 'hvc1', copySignature: 'x' })])).toBe(false);
  expect(canConcatByCopy([])).toBe(false);
});

test('re-encoded clips take the first clip’s frame (rounded to even) and rate, 24 fps when its rate varies', () => {
  expect(videoTarget(h264({ width: 1279, height: 721, frameRate: '30000/1001' }))).toEqual({
    width: 1280,
    height: 722,
    frameRate: '30000/1001',
  });
  expect(videoTarget(h264({ frameRate: undefined }))).toEqual({ width: 1280, height: 720, frameRate: '24/1' });
});

test('the loudness pass reads the voiceovers one after another in the mux format; the mux applies the measurement', () => {
  const narration = {
    voiceovers: [
      { path: '/t/v0.mp3', startMs: 0 },
      { path: '/t/v1.mp3', startMs: 4000 },
    ],
    totalSeconds: 9,
  };
  const measure = loudnessMeasureArgsGraphFromStdin(narration.voiceovers.map((voiceover) => voiceover.path));
  expect(measure.filter((_, index) => measure[index - 1] === '-i')).toEqual(['/t/v0.mp3', '/t/v1.mp3']);
  expect(measure.join(' ')).toContain('-filter_complex_script pipe:0 -i /t/v0.mp3');
  expect(measure.slice(-5)).toEqual(['-map', '[aout]', '-f', 'null', '-']);
  const measureGraph = loudnessMeasureGraph(2);
  expect(measureGraph).toContain('[0:a:0]aformat=sample_rates=48000:channel_layouts=stereo[v0]');
  expect(measureGraph).toMatch(/\[v0\]\[v1\]concat=n=2:v=0:a=1,ebur128=peak=sample:framelog=verbose\[aout\]$/);
  const loud = muxGraph({ ...narration, loudness: { integratedLufs: -23.5, samplePeakDbfs: -12 } });
  expect(loud).toContain('[1:a:0]aformat');
  expect(loud).toContain('asetpts=PTS-STARTPTS,volume=7.50dB[aout]');
  expect(muxGraph(narration)).not.toContain('volume=');
});

test('the warm mux reads the clips through the concat demuxer and its graph from stdin; the narration is trimmed in the graph', () => {
  const args = muxArgsGraphFromStdin({
    video: '/t/clips.ffconcat',
    videoFormat: 'concat',
    voiceovers: ['/t/v0.mp3', '/t/v1.mp3'],
    burnSubtitles: false,
    output: '/t/o.mp4',
  });
  expect(args.join(' ')).toContain('-filter_complex_script pipe:0 -f concat -safe 0 -i /t/clips.ffconcat -i /t/v0.mp3 -i /t/v1.mp3');
  expect(args.join(' ')).toContain('-map 0:v:0 -c:v copy -map [aout] -c:a aac');
  expect(args).not.toContain('-t');
  expect(args.slice(-5)).toEqual(['-movflags', '+faststart', '-f', 'mp4', '/t/o.mp4']);
  expect(muxGraph({ voiceovers: [{ path: '/t/v0.mp3', startMs: 0 }], totalSeconds: 5 })).toContain('apad,atrim=end=5.000000');
});

test('mux places each voiceover at its start, pads and trims the mix to the video, copies the video, faststart', () => {
  const args = muxArgs({
    video: '/t/joined.mp4',
    voiceovers: [
      { path: '/t/v0.wav', startMs: 0 },
      { path: '/t/v1.wav', startMs: 5000 },
    ],
    totalSeconds: 10,
    output: '/t/out.mp4',
  });
  const graph = args[args.indexOf('-filter_complex') + 1]!;
  expect(graph).toContain('[2:a:0]aformat=sample_rates=48000:channel_layouts=stereo,adelay=delays=5000:all=1[v1]');
  expect(graph).toContain('[v0][v1]amix=inputs=2:duration=longest:normalize=0,apad,atrim=end=10.000000');
  expect(args.join(' ')).toContain('-map 0:v:0 -c:v copy');
  expect(args.join(' ')).toContain('-c:a aac');
  expect(args.join(' ')).toContain('-movflags +faststart');
  const burned = muxArgs({
    video: '/t/j.mp4',
    voiceovers: [{ path: '/t/v0.wav', startMs: 0 }],
    totalSeconds: 5,
    burnSubtitlesFrom: '/t/s.vtt',
    output: '/t/o.mp4',
  });
  expect(burned.join(' ')).toContain('-map [vout] -c:v libx264');
  expect(() =>
    muxArgs({ video: 'v', voiceovers: [{ path: 'a', startMs: 0 }], totalSeconds: 5, burnSubtitlesFrom: "/t/it's:here.vtt", output: 'o' }),
  ).toThrow();
});

test('the result check wants one H.264 and one AAC stream and the clips’ duration within 0.1 s', () => {
  const probe = (streams: Array<{ codec_type: string; codec_name: string }>, duration: string): MediaStreams => ({
    streams: streams.map((stream, index) => ({ index, ...stream })),
    format: { duration },
  });
  const good = probe(
    [
      { codec_type: 'video', codec_name: 'h264' },
      { codec_type: 'audio', codec_name: 'aac' },
    ],
    '10.02',
  );
  expect(assembledProblems(good, 10)).toEqual([]);
  expect(assembledProblems(good, 10.2)).toEqual([expect.stringContaining('duration 10.02 s')]);
  expect(assembledProblems(probe([{ codec_type: 'video', codec_name: 'h264' }], '10'), 10)).toEqual([
    expect.stringContaining('one video and one audio'),
  ]);
  expect(
    assembledProblems(
      probe(
        [
          { codec_type: 'video', codec_name: 'h264' },
          { codec_type: 'audio', codec_name: 'mp3' },
        ],
        '10',
      ),
      10,
    ),
  ).toEqual(['audio codec is mp3, not aac']);
});

test('faststart means moov before mdat', () => {
  expect(isFaststart(['ftyp', 'moov', 'mdat'])).toBe(true);
  expect(isFaststart(['ftyp', 'mdat', 'moov'])).toBe(false);
  expect(isFaststart(['ftyp', 'mdat'])).toBe(false);
});
