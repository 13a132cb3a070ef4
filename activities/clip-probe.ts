import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createFile, MP4BoxBuffer, type ISOFile, type Movie } from 'mp4box';

/**
 * What the assembly needs to know of a clip before joining it, read in-process from the MP4's index with
 * GPAC's mp4box.js: the picture's length, frame and rate, and whether its H.264 parameter sets (SPS/PPS)
 * equal another clip's — clips whose sets differ cannot be joined by copying. One ffprobe process per
 * clip cost more than the join itself; reading the index (moov, at the front of a faststart file) costs a
 * few milliseconds.
 */
export interface ClipProbe {
  /** The picture's length, seconds: an audio track that runs longer must not push the next chunk later. */
  seconds: number;
  /** "h264" for AVC, else the sample entry's four-character code. */
  codec: string;
  width: number;
  height: number;
  /** As a fraction, e.g. "24/1" or "30000/1001"; undefined when the frame durations vary. */
  frameRate: string | undefined;
  /** Equal for clips that may be joined by copying: codec, frame, rate and the bytes of every SPS and PPS. */
  copySignature: string;
}

export class ClipProbeError extends Error {
  override name = 'ClipProbeError';
}

/** Reads the file until its index is parsed (the whole file when moov comes last). */
async function readIndex(file: string): Promise<{ mp4: ISOFile; movie: Movie }> {
  const mp4 = createFile();
  let movie: Movie | undefined;
  let failure: string | undefined;
  mp4.onReady = (info) => (movie = info);
  mp4.onError = (module, message) => (failure = `${module}: ${message}`);
  let offset = 0;
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      const buffer = MP4BoxBuffer.fromArrayBuffer(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
        offset,
      );
      offset += bytes.length;
      mp4.appendBuffer(buffer);
      if (movie || failure) break;
    }
  } finally {
    stream.destroy();
  }
  if (!movie) mp4.flush();
  if (failure) throw new ClipProbeError(`not a readable MP4: ${failure}`);
  if (!movie) throw new ClipProbeError('not an MP4: no movie index (moov) found');
  return { mp4, movie };
}

/** The streams of a file as ffprobe names them (codec_type, codec_name) and its length: what the assembly checks its result by. */
export interface MediaStreams {
  streams: Array<{ index: number; codec_type: string; codec_name: string }>;
  format: { duration: string };
}

export async function probeStreams(file: string): Promise<MediaStreams> {
  const { movie } = await readIndex(file);
  return {
    streams: movie.tracks.map((track, index) => ({
      index,
      codec_type: track.video ? 'video' : track.audio ? 'audio' : 'data',
      codec_name: codecName(track.codec),
    })),
    format: { duration: String(movie.duration / movie.timescale) },
  };
}

/** ffprobe's names for the sample entries the assembly meets. */
function codecName(codec: string): string {
  const fourcc = codec.split('.')[0]!;
  return (
    ({ avc1: 'h264', avc3: 'h264', mp4a: 'aac', hvc1: 'hevc', hev1: 'hevc', av01: 'av1', vp09: 'vp9' } as Record<string, string>)[fourcc] ??
    fourcc
  );
}

export async function probeClip(file: string): Promise<ClipProbe> {
  const { mp4, movie } = await readIndex(file);
  const track = movie.videoTracks[0];
  if (!track?.video) throw new ClipProbeError('the MP4 has no video track');
  const trak = mp4.getTrackById(track.id);
  const entry = trak.mdia.minf.stbl.stsd.entries[0] as {
    type: string;
    avcC?: { SPS: Array<{ data: Uint8Array }>; PPS: Array<{ data: Uint8Array }> };
  };
  // The track's presented length (its edit list) when it has one, else the media's own.
  const seconds = track.movie_duration > 0 ? track.movie_duration / track.movie_timescale : track.duration / track.timescale;
  if (!(seconds > 0)) throw new ClipProbeError('the video track has no duration');
  const codec = entry.type === 'avc1' || entry.type === 'avc3' ? 'h264' : entry.type;
  const frameRate = constantRate(trak.mdia.minf.stbl.stts.sample_deltas, track.timescale);
  const hash = createHash('sha256');
  for (const set of [...(entry.avcC?.SPS ?? []), ...(entry.avcC?.PPS ?? [])]) hash.update(set.data);
  const parameterSets = entry.avcC ? hash.digest('hex') : 'none';
  const { width, height } = track.video;
  return { seconds, codec, width, height, frameRate, copySignature: [codec, width, height, frameRate, parameterSets].join('|') };
}

function constantRate(deltas: number[], timescale: number): string | undefined {
  const delta = deltas[0];
  if (!delta || deltas.some((value) => value !== delta)) return undefined;
  const divisor = gcd(timescale, delta);
  return `${timescale / divisor}/${delta / divisor}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
