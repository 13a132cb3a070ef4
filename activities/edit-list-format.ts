import type { EditListEntry, EditListSegment } from '../schemas';

/**
 * The edit list's formats, pure (no I/O) so their timecodes can be tested frame by frame: a CMX 3600 EDL
 * (the one format Premiere, Resolve and Avid all import) and a CSV for people and spreadsheets.
 */

export type EditListFps = 24 | 25 | 30;

/** Milliseconds to whole frames, rounded to the nearest frame (a half frame rounds up). */
export function msToFrames(ms: number, fps: EditListFps): number {
  return Math.round((ms * fps) / 1000);
}

/** Frames to a non-drop-frame timecode HH:MM:SS:FF. */
export function framesToTimecode(frames: number, fps: EditListFps): string {
  const whole = Math.max(0, Math.round(frames));
  const ff = whole % fps;
  const totalSeconds = Math.floor(whole / fps);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return [hh, mm, ss, ff].map((part) => String(part).padStart(2, '0')).join(':');
}

export function msToTimecode(ms: number, fps: EditListFps): string {
  return framesToTimecode(msToFrames(ms, fps), fps);
}

/** The entries in programme order, numbered as the EDL's events. */
export function editListEntries(segments: EditListSegment[], fps: EditListFps): EditListEntry[] {
  return [...segments]
    .sort((a, b) => a.recordInMs - b.recordInMs || a.segmentId.localeCompare(b.segmentId))
    .map((segment, index) => ({
      event: index + 1,
      segmentId: segment.segmentId,
      recordIn: msToTimecode(segment.recordInMs, fps),
      recordOut: msToTimecode(segment.recordOutMs, fps),
      recordInMs: segment.recordInMs,
      recordOutMs: segment.recordOutMs,
      text: segment.text,
      promptText: segment.promptText,
      ...(segment.clip ? { clipKey: segment.clip.key, sha256: segment.clip.sha256, durationSeconds: segment.clip.durationSeconds } : {}),
      round: segment.round,
      approval: segment.clip ? segment.approval : 'missing',
    }));
}

/** The file name an editor's bin shows for a clip: the last part of its key. */
export function clipFileName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * CMX 3600: one event per segment, reel AX (an auxiliary source, matched to media by the clip name
 * comment), video track, cut. A segment without a clip is a black (BL) event of its record length, so the
 * timeline keeps its place and the editor sees the gap.
 */
export function formatEdl(title: string, entries: EditListEntry[], fps: EditListFps): string {
  const lines = [`TITLE: ${edlText(title)}`, 'FCM: NON-DROP FRAME', ''];
  for (const entry of entries) {
    const recordFrames = msToFrames(entry.recordOutMs, fps) - msToFrames(entry.recordInMs, fps);
    const sourceFrames = entry.clipKey && entry.durationSeconds !== undefined ? Math.round(entry.durationSeconds * fps) : recordFrames;
    const reel = entry.clipKey ? 'AX' : 'BL';
    lines.push(
      `${String(entry.event).padStart(3, '0')}  ${reel.padEnd(8)} ${'V'.padEnd(5)} ${'C'.padEnd(8)} ` +
        `${framesToTimecode(0, fps)} ${framesToTimecode(sourceFrames, fps)} ${entry.recordIn} ${entry.recordOut}`,
    );
    if (entry.clipKey) lines.push(`* FROM CLIP NAME: ${clipFileName(entry.clipKey)}`);
    lines.push(`* COMMENT: ${entry.segmentId} ${entry.approval}${entry.clipKey ? ` round ${entry.round}` : ''}`);
    lines.push('');
  }
  return `${lines.join('\r\n')}`;
}

/** EDL lines are plain ASCII without line breaks: anything else would break an importer's parse. */
function edlText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_');
}

export const EDIT_LIST_CSV_COLUMNS = [
  'event',
  'segmentId',
  'recordIn',
  'recordOut',
  'recordInMs',
  'recordOutMs',
  'approval',
  'round',
  'clipKey',
  'sha256',
  'durationSeconds',
  'promptText',
  'text',
] as const;

/** RFC 4180 CSV, CRLF line ends; text that starts like a formula is prefixed so a spreadsheet shows it as text. */
export function formatCsv(entries: EditListEntry[]): string {
  const rows = entries.map((entry) => EDIT_LIST_CSV_COLUMNS.map((column) => csvField(entry[column])).join(','));
  return `${[EDIT_LIST_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
