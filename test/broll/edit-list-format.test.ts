import { editListEntries, formatCsv, formatEdl, framesToTimecode, msToFrames, msToTimecode } from '../../activities/edit-list-format';
import type { EditListSegment } from '../../schemas';

describe('timecodes', () => {
  test.each([
    [0, 25, '00:00:00:00'],
    [1_000, 25, '00:00:01:00'],
    [39, 25, '00:00:00:01'], // 0.975 frame rounds up
    [19, 25, '00:00:00:00'], // 0.475 frame rounds down
    [20, 25, '00:00:00:01'], // exactly half a frame rounds up
    [13_580, 25, '00:00:13:15'],
    [41, 24, '00:00:00:01'], // 0.984 frame at 24 fps
    [59_999, 24, '00:01:00:00'],
    [3_600_000 + 61_500, 24, '01:01:01:12'],
    [16, 30, '00:00:00:00'], // 0.48 frame
    [17, 30, '00:00:00:01'], // 0.51 frame
    [29 * 1000 + 983, 30, '00:00:29:29'],
    [10 * 3_600_000, 30, '10:00:00:00'],
  ] as const)('%i ms at %i fps is %s', (ms, fps, timecode) => {
    expect(msToTimecode(ms, fps)).toBe(timecode);
  });

  test('frames never show the frame rate itself and carry into seconds', () => {
    expect(framesToTimecode(24, 24)).toBe('00:00:01:00');
    expect(framesToTimecode(29, 30)).toBe('00:00:00:29');
    expect(framesToTimecode(25 * 3600, 25)).toBe('01:00:00:00');
    expect(msToFrames(5_000, 30)).toBe(150);
  });
});

const segments: EditListSegment[] = [
  {
    segmentId: 's02',
    recordInMs: 7_250,
    recordOutMs: 13_580,
    text: 'He said, "it was cold"',
    promptText: '=cmd, a newsroom',
    round: 2,
    approval: 'unapproved',
    clip: { key: 'broll/p/s02/t2.mp4', sha256: 'b'.repeat(64), durationSeconds: 5 },
  },
  {
    segmentId: 's01',
    recordInMs: 0,
    recordOutMs: 6_330,
    text: 'Opening',
    promptText: 'A harbour',
    round: 1,
    approval: 'approved',
    clip: { key: 'broll/p/s01/t1.mp4', sha256: 'a'.repeat(64), durationSeconds: 10 },
  },
  { segmentId: 's03', recordInMs: 14_000, recordOutMs: 16_000, text: 'Gap', promptText: 'A field', round: 1, approval: 'approved' },
];

test('entries are in programme order, numbered, and a segment without a clip is missing', () => {
  const entries = editListEntries(segments, 25);
  expect(entries.map((entry) => [entry.event, entry.segmentId, entry.approval, entry.recordIn, entry.recordOut])).toEqual([
    [1, 's01', 'approved', '00:00:00:00', '00:00:06:08'],
    [2, 's02', 'unapproved', '00:00:07:06', '00:00:13:15'],
    [3, 's03', 'missing', '00:00:14:00', '00:00:16:00'],
  ]);
  expect(entries[2]).not.toHaveProperty('clipKey');
});

test('CMX 3600 at 30 fps: header, fixed columns, source out = clip duration, clip name comments, black for a missing clip', () => {
  const edl = formatEdl('doc ep1 — draft', editListEntries(segments, 30), 30);
  expect(edl.split('\r\n')).toEqual([
    'TITLE: doc ep1 _ draft',
    'FCM: NON-DROP FRAME',
    '',
    '001  AX       V     C        00:00:00:00 00:00:10:00 00:00:00:00 00:00:06:10',
    '* FROM CLIP NAME: t1.mp4',
    '* COMMENT: s01 approved round 1',
    '',
    '002  AX       V     C        00:00:00:00 00:00:05:00 00:00:07:08 00:00:13:17',
    '* FROM CLIP NAME: t2.mp4',
    '* COMMENT: s02 unapproved round 2',
    '',
    '003  BL       V     C        00:00:00:00 00:00:02:00 00:00:14:00 00:00:16:00',
    '* COMMENT: s03 missing',
    '',
  ]);
});

test('CSV quotes commas and quotes and defuses formula-like text', () => {
  const lines = formatCsv(editListEntries(segments, 24)).split('\r\n');
  expect(lines[0]).toBe(
    'event,segmentId,recordIn,recordOut,recordInMs,recordOutMs,approval,round,clipKey,sha256,durationSeconds,promptText,text',
  );
  expect(lines[1]).toBe(`1,s01,00:00:00:00,00:00:06:08,0,6330,approved,1,broll/p/s01/t1.mp4,${'a'.repeat(64)},10,A harbour,Opening`);
  expect(lines[2]).toBe(
    `2,s02,00:00:07:06,00:00:13:14,7250,13580,unapproved,2,broll/p/s02/t2.mp4,${'b'.repeat(64)},5,"'=cmd, a newsroom","He said, ""it was cold"""`,
  );
  expect(lines[3]).toBe('3,s03,00:00:14:00,00:00:16:00,14000,16000,missing,1,,,,A field,Gap');
  expect(lines[4]).toBe('');
});
