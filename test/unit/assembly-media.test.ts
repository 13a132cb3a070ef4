import {
  assembledProblems,
  canConcatByCopy,
  chunkTimings,
  concatList,
  formatVttTime,
  isFaststart,
  muxArgs,
  parseProbe,
  webVtt,
  type ProbeStream,
} from '../../activities/assembly-media';

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

const h264 = (overrides: Partial<ProbeStream> = {}): ProbeStream => ({
  index: 0,
  codec_type: 'video',
  codec_name: 'h264',
  profile: 'High',
  width: 1280,
  height: 720,
  pix_fmt: 'yuv420p',
  r_frame_rate: '24/1',
  extradata_hash: 'SHA256:aa',
  ...overrides,
});

test('clips are copied only when codec, size, rate and parameter sets all match', () => {
  expect(canConcatByCopy([h264(), h264()])).toBe(true);
  expect(canConcatByCopy([h264(), h264({ width: 960 })])).toBe(false);
  expect(canConcatByCopy([h264(), h264({ extradata_hash: 'SHA256:bb' })])).toBe(false);
  expect(canConcatByCopy([h264({ codec_name: 'hevc' }), h264({ codec_name: 'hevc' })])).toBe(false);
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
  const probe = (streams: Array<Partial<ProbeStream>>, duration: string) =>
    parseProbe(
      JSON.stringify({ streams: streams.map((stream, index) => ({ index, codec_type: 'video', ...stream })), format: { duration } }),
    );
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
