import path from 'node:path';
import type { ClipProbe, MediaStreams } from './clip-probe';
import { loudnessApplyFilter, loudnessMeasureFilter, type LoudnessMeasurement } from './delivery/loudness';

/**
 * The pure parts of the explainer's assembly: chunk timing, the WebVTT sidecar, ffmpeg argument lists
 * and the check of the result. No I/O here, so each piece has a unit test of its own.
 */

/** Bump when the recipe below changes: an assembly recorded under another recipe is not the same output. */
export const ASSEMBLY_RECIPE_VERSION = 2;

/** How far the result's duration may stray from the sum of the clips (AAC frames, container rounding). */
export const DURATION_TOLERANCE_SECONDS = 0.1;

const QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];

/** The narration's format in the mix: every voiceover is brought to it, and measured in it, so peaks read as the mix's. */
const MIX_FORMAT = 'aformat=sample_rates=48000:channel_layouts=stereo';

/** A temp file's extension from an object key (ffmpeg picks some demuxers by it); `.bin` when the key's is odd. */
export function extensionOf(key: string): string {
  const extension = path.extname(key).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(extension) ? extension : '.bin';
}

export interface ChunkTiming {
  startMs: number;
  endMs: number;
}

/** Each chunk starts where the previous clip ends; rounding is done on the running sum so no drift builds up. */
export function chunkTimings(clipSeconds: number[]): ChunkTiming[] {
  let elapsed = 0;
  return clipSeconds.map((seconds) => {
    const startMs = Math.round(elapsed * 1000);
    elapsed += seconds;
    return { startMs, endMs: Math.round(elapsed * 1000) };
  });
}

export function formatVttTime(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  const millis = ms % 1000;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(millis, 3)}`;
}

/**
 * One cue per chunk with text, at the chunk's start. Cue text may not hold a blank line (it would end the
 * cue) nor "-->", and `&` `<` `>` are markup in WebVTT: they are escaped so the narration shows as written.
 */
export function webVtt(cues: Array<ChunkTiming & { text: string }>): string {
  const blocks = cues
    .map((cue) => ({ ...cue, text: cueText(cue.text) }))
    .filter((cue) => cue.text !== '' && cue.endMs > cue.startMs)
    .map((cue, index) => `${index + 1}\n${formatVttTime(cue.startMs)} --> ${formatVttTime(cue.endMs)}\n${cue.text}\n`);
  return ['WEBVTT\n', ...blocks].join('\n');
}

function cueText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * H.264 clips join without re-encoding only when their copy signatures match: one MP4 carries one set of
 * parameter sets (SPS/PPS), so clips whose sets differ would decode wrongly after the first.
 */
export function canConcatByCopy(clips: ClipProbe[]): boolean {
  const first = clips[0];
  if (!first || first.codec !== 'h264') return false;
  return clips.every((clip) => clip.copySignature === first.copySignature);
}

export interface VideoTarget {
  width: number;
  height: number;
  /** A fraction, e.g. "24/1" or "30000/1001". */
  frameRate: string;
}

/** The first clip sets the size and frame rate: the others are scaled into it (letterboxed, never stretched). */
export function videoTarget(first: Pick<ClipProbe, 'width' | 'height' | 'frameRate'>): VideoTarget {
  const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);
  const frameRate = first.frameRate && /^[1-9]\d*\/[1-9]\d*$/.test(first.frameRate) ? first.frameRate : '24/1';
  return { width: even(first.width), height: even(first.height), frameRate };
}

const H264_RECIPE = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-profile:v', 'high'];

/** Re-encode one clip to the shared recipe (used for every clip when they differ, so all parameter sets match). */
export function normalizeClipArgs(input: string, target: VideoTarget, seconds: number, output: string): string[] {
  const { width, height, frameRate } = target;
  const filter = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${frameRate}`;
  return [...QUIET, '-i', input, '-map', '0:v:0', '-vf', filter, '-t', seconds.toFixed(3), ...H264_RECIPE, '-an', '-f', 'mp4', output];
}

/** The concat demuxer's list; each entry's duration is the clip's picture length, so every chunk starts where planned. */
export function concatList(entries: Array<{ path: string; seconds: number }>): string {
  const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;
  return [
    'ffconcat version 1.0',
    ...entries.flatMap((entry) => [`file ${quote(entry.path)}`, `duration ${entry.seconds.toFixed(6)}`]),
    '',
  ].join('\n');
}

export function concatArgs(listPath: string, output: string): string[] {
  return [...QUIET, '-f', 'concat', '-safe', '0', '-i', listPath, '-map', '0:v:0', '-c', 'copy', '-f', 'mp4', output];
}

export interface NarrationPlan {
  voiceovers: Array<{ path: string; startMs: number }>;
  totalSeconds: number;
}

/**
 * The narration track as one filtergraph: each voiceover (inputs from `firstInput` on) starts at its
 * chunk's start, the mix is padded with silence or cut to exactly the video's length, then `finish` (the
 * loudness filter) runs on the whole mix; the result is labelled [aout].
 */
function narrationGraph(plan: NarrationPlan, firstInput: number, finish: string | undefined): string[] {
  const placed = plan.voiceovers.map(
    (voiceover, index) => `[${index + firstInput}:a:0]${MIX_FORMAT},adelay=delays=${voiceover.startMs}:all=1[v${index}]`,
  );
  const labels = plan.voiceovers.map((_, index) => `[v${index}]`).join('');
  const mixed = plan.voiceovers.length === 1 ? '[v0]' : `${labels}amix=inputs=${plan.voiceovers.length}:duration=longest:normalize=0,`;
  const total = plan.totalSeconds.toFixed(6);
  return [...placed, `${mixed}apad,atrim=end=${total},asetpts=PTS-STARTPTS${finish ? `,${finish}` : ''}[aout]`];
}

/**
 * The loudness pass: the voiceovers one after another, brought to the mux's format (48 kHz stereo, so the
 * peaks read as the mix's), measured by ebur128 (report on stderr). Only speech is read, not the silence
 * the mix lays between chunks, which R128's gates leave out of the integrated loudness anyway; so the
 * pass needs neither the clips nor their lengths, and runs while the clips are still arriving.
 */
export function loudnessMeasureGraph(voiceovers: number): string {
  const indices = Array.from({ length: voiceovers }, (_, index) => index);
  const formatted = indices.map((index) => `[${index}:a:0]${MIX_FORMAT}[v${index}]`);
  const labels = indices.map((index) => `[v${index}]`).join('');
  return [...formatted, `${labels}concat=n=${voiceovers}:v=0:a=1,${loudnessMeasureFilter()}[aout]`].join(';');
}

/** The loudness pass's command line, its graph read from stdin (see `muxArgsGraphFromStdin`). */
export function loudnessMeasureArgsGraphFromStdin(voiceovers: string[]): string[] {
  return [
    ...['-hide_banner', '-nostats', '-nostdin', '-filter_complex_script', 'pipe:0'],
    ...voiceovers.flatMap((voiceover) => ['-i', voiceover]),
    ...['-map', '[aout]', '-f', 'null', '-'],
  ];
}

/**
 * One voiceover's loudness pass, as the narration's would read it (48 kHz stereo): at verbose level
 * ebur128 prints each 400 ms block's loudness, which `parseVoiceoverLoudness` keeps.
 */
export function voiceoverLoudnessArgs(voiceover: string): string[] {
  return [
    ...['-hide_banner', '-nostats', '-nostdin', '-loglevel', 'verbose', '-i', voiceover],
    ...['-filter_complex', `[0:a:0]${MIX_FORMAT},${loudnessMeasureFilter()}[aout]`],
    ...['-map', '[aout]', '-f', 'null', '-'],
  ];
}

export interface MuxPlan extends NarrationPlan {
  /** The joined video, or (with `videoFormat: 'concat'`) the concat demuxer's list of clips, joined as they are read. */
  video: string;
  videoFormat?: 'concat';
  /** The narration's measured loudness: normalised in the mux (EBU R128); without it the mix is left as it is (silence). */
  loudness?: LoudnessMeasurement;
  /** Burn these subtitles into the picture (re-encodes the video). */
  burnSubtitlesFrom?: string;
  output: string;
}

/** What the mux's command line needs besides its filtergraph: known before the clips are probed. */
export interface MuxShape {
  video: string;
  videoFormat?: 'concat';
  voiceovers: string[];
  burnSubtitles: boolean;
  output: string;
}

/**
 * The mux's filtergraph: the narration (loudness applied) labelled [aout] and, when subtitles are burned
 * in, the picture with them labelled [vout].
 */
export function muxGraph(plan: NarrationPlan & Pick<MuxPlan, 'loudness' | 'burnSubtitlesFrom'>): string {
  const graph = narrationGraph(plan, 1, plan.loudness ? loudnessApplyFilter(plan.loudness) : undefined);
  if (plan.burnSubtitlesFrom) graph.push(`[0:v:0]subtitles=filename=${filterPath(plan.burnSubtitlesFrom)}[vout]`);
  return graph.join(';');
}

function muxInputs(shape: Pick<MuxShape, 'video' | 'videoFormat' | 'voiceovers'>): string[] {
  return [
    ...(shape.videoFormat === 'concat' ? ['-f', 'concat', '-safe', '0'] : []),
    ...['-i', shape.video],
    ...shape.voiceovers.flatMap((voiceover) => ['-i', voiceover]),
  ];
}

function muxOutput(shape: Pick<MuxShape, 'burnSubtitles' | 'output'>): string[] {
  const videoMap = shape.burnSubtitles ? ['-map', '[vout]', ...H264_RECIPE] : ['-map', '0:v:0', '-c:v', 'copy'];
  return [
    ...videoMap,
    ...['-map', '[aout]', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000'],
    ...['-movflags', '+faststart', '-f', 'mp4', shape.output],
  ];
}

/**
 * One MP4: the joined video (copied unless subtitles are burned in) and one AAC track where each voiceover
 * starts at its chunk's start, the mix padded with silence or cut to exactly the video's length; moov first.
 */
export function muxArgs(plan: MuxPlan): string[] {
  const shape = { ...plan, voiceovers: plan.voiceovers.map((voiceover) => voiceover.path), burnSubtitles: !!plan.burnSubtitlesFrom };
  return [
    ...QUIET,
    ...muxInputs(shape),
    ...['-filter_complex', muxGraph(plan)],
    ...['-t', plan.totalSeconds.toFixed(6)],
    ...muxOutput(shape),
  ];
}

/**
 * The same mux with its filtergraph read from stdin, so ffmpeg can be started (its libraries loaded, a
 * noticeable part of a short run) before the graph is known: it opens its inputs only once the graph has
 * arrived. The narration is trimmed to the video's length inside the graph, so no `-t` is needed.
 */
export function muxArgsGraphFromStdin(shape: MuxShape): string[] {
  return [...QUIET, '-filter_complex_script', 'pipe:0', ...muxInputs(shape), ...muxOutput(shape)];
}

/** Paths inside a filtergraph need escaping at two levels; the temp paths the activity makes never need it. */
function filterPath(file: string): string {
  if (!/^[A-Za-z0-9/_.-]+$/.test(file)) throw new Error(`subtitle path ${file} has characters a filtergraph would misread`);
  return file;
}

/** What is wrong with an assembled MP4 (empty when it may be recorded). */
export function assembledProblems(probe: MediaStreams, expectedSeconds: number): string[] {
  const problems: string[] = [];
  const videos = probe.streams.filter((stream) => stream.codec_type === 'video');
  const audios = probe.streams.filter((stream) => stream.codec_type === 'audio');
  if (videos.length !== 1 || audios.length !== 1 || probe.streams.length !== 2) {
    problems.push(
      `expected one video and one audio stream, found ${probe.streams.map((stream) => stream.codec_type).join(', ') || 'none'}`,
    );
  }
  if (videos[0] && videos[0].codec_name !== 'h264') problems.push(`video codec is ${videos[0].codec_name}, not h264`);
  if (audios[0] && audios[0].codec_name !== 'aac') problems.push(`audio codec is ${audios[0].codec_name}, not aac`);
  const duration = Number(probe.format.duration);
  if (!Number.isFinite(duration) || Math.abs(duration - expectedSeconds) > DURATION_TOLERANCE_SECONDS) {
    problems.push(
      `duration ${probe.format.duration ?? 'unknown'} s is not within ${DURATION_TOLERANCE_SECONDS} s of the clips' ${expectedSeconds.toFixed(3)} s`,
    );
  }
  return problems;
}

/** Top-level MP4 box types in file order, read through `readAt` (offset, length) → bytes; stops at the first bad box. */
export async function topLevelBoxes(readAt: (offset: number, length: number) => Promise<Buffer>, fileBytes: number): Promise<string[]> {
  const types: string[] = [];
  let offset = 0;
  while (offset + 8 <= fileBytes && types.length < 64) {
    const header = await readAt(offset, 16);
    const size32 = header.readUInt32BE(0);
    types.push(header.toString('latin1', 4, 8));
    const size = size32 === 1 ? Number(header.readBigUInt64BE(8)) : size32 === 0 ? fileBytes - offset : size32;
    if (size < 8) break;
    offset += size;
  }
  return types;
}

/** faststart: the index (moov) comes before the media (mdat), so a player can start before the whole file arrives. */
export function isFaststart(boxTypes: string[]): boolean {
  const moov = boxTypes.indexOf('moov');
  const mdat = boxTypes.indexOf('mdat');
  return moov !== -1 && mdat !== -1 && moov < mdat;
}
