import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../infra/ffmpeg';
import { readMediaRange, type MediaLayout } from './media-stream';

const run = promisify(execFile);
const FPS = 8;
/** Bump when the ffmpeg recipe changes so stale cache files are not reused. */
const RECIPE_VERSION = 1;
const MIN_PADDING = 16;

export interface MediaSpec {
  width: number;
  height: number;
  durationSeconds: number;
}

export interface MediaVariant extends MediaLayout {
  sha256: string;
  /** What the download says it is, and the file name's extension. */
  contentType: string;
  extension: string;
}

const MP4 = { contentType: 'video/mp4', extension: 'mp4' };
const MP3 = { contentType: 'audio/mpeg', extension: 'mp3' };

/** The project's one ffmpeg resolver (FFMPEG_PATH, PATH, Debian's /usr/bin), with its clear error when none is found. */
export function defaultFfmpegPath(): string {
  return ffmpegPath();
}

/**
 * Real H.264 MP4 outputs: made once per (size, duration) with ffmpeg, cached on disk (safe when several
 * processes race: each writes a temp file and renames it), optionally padded with a `free` box.
 */
export class MediaLibrary {
  private readonly variants = new Map<string, Promise<MediaVariant>>();

  constructor(
    private readonly cacheDir: string,
    private readonly ffmpegPath: string = defaultFfmpegPath(),
  ) {}

  /** The output for a spec, padded to `outputBytes` when that is larger than the bare file. */
  variant(spec: MediaSpec, outputBytes?: number): Promise<MediaVariant> {
    const key = `${baseName(spec)}:${outputBytes ?? 0}`;
    let pending = this.variants.get(key);
    if (!pending) {
      pending = this.makeVariant(spec, outputBytes);
      pending.catch(() => this.variants.delete(key));
      this.variants.set(key, pending);
    }
    return pending;
  }

  /** Settles once every output asked for so far is made (or failed): nothing is left writing into the cache dir. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.variants.values()]);
  }

  /**
   * A real MP3 of this many seconds (a soft tone: a stand-in voice), made once per duration and cached
   * like the MP4s. Never padded: the `free` box padding is an MP4 structure.
   */
  speech(durationSeconds: number): Promise<MediaVariant> {
    const key = `speech:${durationSeconds}`;
    let pending = this.variants.get(key);
    if (!pending) {
      pending = this.makeSpeech(durationSeconds);
      pending.catch(() => this.variants.delete(key));
      this.variants.set(key, pending);
    }
    return pending;
  }

  private async makeSpeech(durationSeconds: number): Promise<MediaVariant> {
    const basePath = await this.ensureFile(`tone-${durationSeconds}s-v${RECIPE_VERSION}.mp3`, (out) => speechArgs(durationSeconds, out));
    const stat = await fs.stat(basePath);
    const layout = { basePath, baseBytes: stat.size, bytes: stat.size };
    return { ...layout, sha256: await cachedSha256(layout, stat.mtimeMs), ...MP3 };
  }

  private async makeVariant(spec: MediaSpec, outputBytes: number | undefined): Promise<MediaVariant> {
    const basePath = await this.ensureBaseFile(spec);
    const stat = await fs.stat(basePath);
    const baseBytes = stat.size;
    const bytes = outputBytes !== undefined && outputBytes >= baseBytes + MIN_PADDING ? outputBytes : baseBytes;
    const layout = { basePath, baseBytes, bytes };
    const sha256 = await cachedSha256(layout, stat.mtimeMs);
    return { ...layout, sha256, ...MP4 };
  }

  private ensureBaseFile(spec: MediaSpec): Promise<string> {
    return this.ensureFile(`${baseName(spec)}.mp4`, (out) => ffmpegArgs(spec, out));
  }

  private async ensureFile(fileName: string, args: (outputPath: string) => string[]): Promise<string> {
    const finalPath = path.join(this.cacheDir, fileName);
    if (await isNonEmptyFile(finalPath)) return finalPath;
    await fs.mkdir(this.cacheDir, { recursive: true });
    const tempPath = temporaryName(finalPath);
    try {
      await run(this.ffmpegPath, args(tempPath), { maxBuffer: 16 * 1024 * 1024 });
      await fs.rename(tempPath, finalPath);
    } finally {
      await fs.rm(tempPath, { force: true });
    }
    return finalPath;
  }
}

function baseName(spec: MediaSpec): string {
  return `testsrc2-${spec.width}x${spec.height}-${spec.durationSeconds}s-${FPS}fps-v${RECIPE_VERSION}`;
}

function temporaryName(finalPath: string): string {
  return `${finalPath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

function ffmpegArgs(spec: MediaSpec, outputPath: string): string[] {
  const source = `testsrc2=size=${spec.width}x${spec.height}:rate=${FPS}`;
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', source, '-t', String(spec.durationSeconds)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '40', '-g', String(FPS * 2), '-pix_fmt', 'yuv420p'],
    ...['-movflags', '+faststart', '-an', '-f', 'mp4', outputPath],
  ];
}

function speechArgs(durationSeconds: number, outputPath: string): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=44100:duration=${durationSeconds}`],
    ...['-af', 'volume=0.2', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', outputPath],
  ];
}

async function isNonEmptyFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).size > 0;
  } catch {
    return false;
  }
}

interface ShaSidecar {
  baseBytes: number;
  baseMtimeMs: number;
  bytes: number;
  sha256: string;
}

/** sha256 of the served bytes, remembered next to the cached file so a 1 GB variant is hashed once. */
async function cachedSha256(layout: MediaLayout, baseMtimeMs: number): Promise<string> {
  const sidecarPath = `${layout.basePath}.${layout.bytes}.sha256.json`;
  const known = await readSidecar(sidecarPath);
  if (known && known.baseBytes === layout.baseBytes && known.baseMtimeMs === baseMtimeMs && known.bytes === layout.bytes) {
    return known.sha256;
  }
  const sha256 = await hashLayout(layout);
  const sidecar: ShaSidecar = { baseBytes: layout.baseBytes, baseMtimeMs, bytes: layout.bytes, sha256 };
  const tempPath = temporaryName(sidecarPath);
  await fs.writeFile(tempPath, JSON.stringify(sidecar));
  await fs.rename(tempPath, sidecarPath);
  return sha256;
}

async function readSidecar(sidecarPath: string): Promise<ShaSidecar | undefined> {
  try {
    return JSON.parse(await fs.readFile(sidecarPath, 'utf8')) as ShaSidecar;
  } catch {
    return undefined;
  }
}

async function hashLayout(layout: MediaLayout): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of readMediaRange(layout, 0, layout.bytes - 1)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
