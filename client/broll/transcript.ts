import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve as resolvePath } from 'node:path';
import { InputError } from '../input-error';

/**
 * A documentary transcript cut into segments: SRT and WebVTT cues keep their own timecodes; a plain-text
 * transcript (one segment per paragraph) is timed by its words at the narrator's pace. Every mistake is
 * reported with the transcript's file name and, for subtitle files, the line it is on, because the editor
 * fixes it in that file, not in the project file.
 */
export interface TranscriptSegment {
  /** Record in/out on the programme's timeline, ms from its start. */
  inMs: number;
  outMs: number;
  /** The spoken words, tags stripped, on one line. */
  text: string;
  /** 1-based line of the segment's first line in the transcript file. */
  line: number;
  /** The producer's keywords for the segment: a `[keywords: lock gates, barges]` line in the cue or paragraph. */
  keywords?: string[];
}

/** A line of the producer's keywords inside a cue or paragraph; it is not narration. */
const KEYWORDS_LINE = /^\s*\[keywords:\s*([^\]]*)\]\s*$/i;

/** The cue's lines without its keywords line, and the keywords it gave. */
function splitKeywords(lines: string[], name: string, line: number): { lines: string[]; keywords?: string[] } {
  const found = lines.map((text) => KEYWORDS_LINE.exec(text));
  const index = found.findIndex(Boolean);
  if (index < 0) return { lines };
  if (found.filter(Boolean).length > 1) throw lineError(name, line, 'two [keywords: …] lines in one segment: give one');
  const keywords = found[index]![1]!.split(',')
    .map((keyword) => keyword.trim())
    .filter((keyword) => keyword !== '');
  if (keywords.length === 0) throw lineError(name, line + index, '[keywords: …] names no keyword');
  return { lines: lines.filter((_, position) => position !== index), keywords };
}

export type TranscriptFormat = 'srt' | 'vtt' | 'text';

/** Read and parse a transcript named by the project file (relative paths resolve against its folder). */
export async function readTranscript(
  source: string,
  baseDir: string,
  wordsPerSecond: number,
): Promise<{ path: string; format: TranscriptFormat; segments: TranscriptSegment[] }> {
  const path = resolvePath(baseDir, source);
  let text: string;
  try {
    if (!(await stat(path)).isFile()) throw new InputError('transcript', `${source} is not a file`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('transcript', `transcript file not found: ${source} (looked for ${path})`);
  }
  const format = transcriptFormat(path, text);
  return { path, format, segments: parseTranscript(text, { format, name: basename(path), wordsPerSecond }) };
}

/** By extension; a WebVTT file announces itself on its first line whatever it is called. */
export function transcriptFormat(path: string, text: string): TranscriptFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.srt') return 'srt';
  if (extension === '.vtt' || /^\uFEFF?WEBVTT/.test(text)) return 'vtt';
  return 'text';
}

export function parseTranscript(
  text: string,
  how: { format: TranscriptFormat; name: string; wordsPerSecond: number },
): TranscriptSegment[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const segments =
    how.format === 'srt'
      ? parseSrt(lines, how.name)
      : how.format === 'vtt'
        ? parseVtt(lines, how.name)
        : parsePlainText(lines, how.name, how.wordsPerSecond);
  if (segments.length === 0) throw new InputError('transcript', `${how.name} has no segments`);
  checkTimeline(segments, how.name);
  return segments;
}

interface Block {
  /** 1-based line number of each line. */
  start: number;
  lines: string[];
}

/** Runs of non-blank lines. */
function blocks(lines: string[]): Block[] {
  const found: Block[] = [];
  let current: Block | undefined;
  lines.forEach((line, index) => {
    if (line.trim() === '') {
      current = undefined;
      return;
    }
    if (!current) {
      current = { start: index + 1, lines: [] };
      found.push(current);
    }
    current.lines.push(line);
  });
  return found;
}

const SRT_TIME = /^(\d{1,2}):(\d{2}):(\d{2})[,.](\d{3})$/;
const VTT_TIME = /^(?:(\d{1,2}):)?(\d{2}):(\d{2})\.(\d{3})$/;

function parseSrt(lines: string[], name: string): TranscriptSegment[] {
  return blocks(lines).map((block) => {
    const [first, ...rest] = block.lines;
    // The cue number is optional in practice (many tools drop it); the timing line is not.
    const timingIndex = /^\d+$/.test(first!.trim()) ? 1 : 0;
    const timing = block.lines[timingIndex];
    const timingLine = block.start + timingIndex;
    if (timing === undefined)
      throw lineError(name, block.start, `cue ${first!.trim()} has no timecode line (expected 00:00:01,000 --> 00:00:04,000)`);
    const { inMs, outMs } = parseTiming(timing, SRT_TIME, name, timingLine, '00:00:01,000 --> 00:00:04,000');
    const { lines: textLines, keywords } = splitKeywords(timingIndex === 1 ? rest.slice(1) : rest, name, block.start);
    return { inMs, outMs, text: cueText(textLines, name, block.start), line: block.start, ...(keywords ? { keywords } : {}) };
  });
}

function parseVtt(lines: string[], name: string): TranscriptSegment[] {
  if (!/^\uFEFF?WEBVTT([ \t].*)?$/.test(lines[0] ?? '')) throw lineError(name, 1, 'a WebVTT file must start with "WEBVTT"');
  const segments: TranscriptSegment[] = [];
  for (const block of blocks(lines)) {
    if (block.start === 1) continue; // the header block (WEBVTT and its metadata lines)
    const [first] = block.lines;
    if (/^(NOTE|STYLE|REGION)(\s|$)/.test(first!)) continue;
    const timingIndex = first!.includes('-->') ? 0 : 1;
    const timing = block.lines[timingIndex];
    const timingLine = block.start + timingIndex;
    if (timing === undefined || !timing.includes('-->'))
      throw lineError(
        name,
        timingLine > block.start + block.lines.length - 1 ? block.start : timingLine,
        `expected a cue timing like 00:01.000 --> 00:04.000, got "${(timing ?? first!).trim()}"`,
      );
    // Cue settings (position, align, …) follow the end time; they do not matter for B-roll.
    const { inMs, outMs } = parseTiming(
      timing.trim().replace(/^(\S+\s+-->\s+\S+).*$/, '$1'),
      VTT_TIME,
      name,
      timingLine,
      '00:01.000 --> 00:04.000',
    );
    const { lines: textLines, keywords } = splitKeywords(block.lines.slice(timingIndex + 1), name, block.start);
    segments.push({ inMs, outMs, text: cueText(textLines, name, block.start), line: block.start, ...(keywords ? { keywords } : {}) });
  }
  return segments;
}

function parseTiming(timing: string, pattern: RegExp, name: string, line: number, example: string): { inMs: number; outMs: number } {
  const parts = timing.trim().split(/\s+-->\s+/);
  const times = parts.length === 2 ? parts.map((part) => pattern.exec(part.trim())) : [];
  if (times.length !== 2 || !times[0] || !times[1])
    throw lineError(name, line, `expected a timecode line like ${example}, got "${timing.trim()}"`);
  const [inMs, outMs] = times.map((match) => toMs(match!, name, line)) as [number, number];
  if (outMs <= inMs) throw lineError(name, line, `the cue ends (${parts[1]}) before or when it starts (${parts[0]}): reversed timecodes`);
  return { inMs, outMs };
}

function toMs(match: RegExpExecArray, name: string, line: number): number {
  const [hours, minutes, seconds, millis] = [match[1] ?? '0', match[2]!, match[3]!, match[4]!].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (minutes > 59 || seconds > 59) throw lineError(name, line, `${match[0]} is not a valid time (minutes and seconds run to 59)`);
  return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
}

/** A cue's lines as one line of words: markup (<i>, <v Narrator>, {\an8}) stripped. */
function cueText(lines: string[], name: string, line: number): string {
  const text = lines
    .join(' ')
    .replace(/<[^>]*>/g, '')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
  if (!/[\p{L}\p{N}]/u.test(text)) throw lineError(name, line, 'empty segment: the cue has no words');
  return text;
}

/** One segment per paragraph, spoken back to back at wordsPerSecond. */
function parsePlainText(lines: string[], name: string, wordsPerSecond: number): TranscriptSegment[] {
  let cursorMs = 0;
  return blocks(lines).map((block) => {
    const { lines: textLines, keywords } = splitKeywords(block.lines, name, block.start);
    const text = textLines.join(' ').replace(/\s+/g, ' ').trim();
    const words = text.split(' ').filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
    if (words === 0) throw lineError(name, block.start, 'empty segment: the paragraph has no words');
    const inMs = cursorMs;
    cursorMs = inMs + Math.round((words / wordsPerSecond) * 1000);
    return { inMs, outMs: cursorMs, text, line: block.start, ...(keywords ? { keywords } : {}) };
  });
}

/** Cues must run forward without overlapping: each holds its own span of the programme's timeline. */
function checkTimeline(segments: TranscriptSegment[], name: string): void {
  for (let index = 1; index < segments.length; index++) {
    const previous = segments[index - 1]!;
    const segment = segments[index]!;
    if (segment.inMs < previous.outMs)
      throw lineError(
        name,
        segment.line,
        `the cue starts at ${clock(segment.inMs)}, before the previous cue (line ${previous.line}) ends at ${clock(previous.outMs)}: overlapping timecodes`,
      );
  }
}

function lineError(name: string, line: number, message: string): InputError {
  return new InputError('transcript', `${name} line ${line}: ${message}`);
}

/** HH:MM:SS.mmm */
export function clock(ms: number): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}
