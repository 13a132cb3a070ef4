import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import { MAX_UPLOAD_BYTES } from '../../schemas';
import { readImageHeader, type ImageHeader } from '../../infra/image-header';
import type { SafeFetch } from '../../infra/safe-fetch';
import { InputError } from '../input-error';

/**
 * A segment's archival photograph: named in the project file (`segments.s03.photo`) or found in the
 * photographs folder by its segment id (`s03.jpg`, `s03-lock-1911.png`), a local file or an https URL.
 * Every one is read and checked before anything is spent: it exists, it is a PNG, JPEG or WebP by its
 * bytes, within Runway's limits (200 MB for an upload; an aspect ratio between 1:2 and 2:1). A URL is
 * fetched only through safe-fetch (https, public addresses only). The bytes are kept, so the image staged
 * and uploaded is the one checked.
 */
export interface Photograph {
  segmentId: string;
  /** As the project file or the folder names it. */
  source: string;
  /** Where it was named: the project file's segment, or the folder. */
  from: 'segment' | 'folder';
  bytes: Buffer;
  sha256: string;
  header: ImageHeader;
}

/** Runway's images: width / height within 0.5 … 2 (docs, "Inputs"). */
const MIN_ASPECT = 0.5;
const MAX_ASPECT = 2;
/** A photograph file: a segment id, then the end of the name or a separator (`s03.jpg`, `s03-lock.png`, `s03_1911.webp`). */
const PHOTO_NAME = /^(s\d{2,3})(?:[-_. ]|$)/i;

export interface PhotographSources {
  /** By segment id, from the project file. */
  named: Record<string, string>;
  /** A folder of photographs matched by segment id, relative to the project file. */
  folder?: string;
}

export async function findPhotographs(
  sources: PhotographSources,
  segmentIds: readonly string[],
  baseDir: string,
  fetchUrl: SafeFetch | undefined,
): Promise<Photograph[]> {
  const known = new Set(segmentIds);
  const chosen = new Map<string, { source: string; from: Photograph['from']; field: string }>();
  for (const [segmentId, source] of Object.entries(sources.named)) {
    if (!known.has(segmentId)) throw unknownSegment(`segments.${segmentId}.photo`, segmentId, source, segmentIds);
    chosen.set(segmentId, { source, from: 'segment', field: `segments.${segmentId}.photo` });
  }
  if (sources.folder !== undefined) {
    const folder = resolvePath(baseDir, sources.folder);
    let names: string[];
    try {
      names = (await readdir(folder)).sort();
    } catch {
      throw new InputError('photos', `photographs folder not found: ${sources.folder} (looked for ${folder})`);
    }
    for (const name of names) {
      const match = PHOTO_NAME.exec(name);
      if (!match) continue; // a README or a script beside the photographs
      const segmentId = match[1]!.toLowerCase();
      const source = join(sources.folder, name);
      if (!known.has(segmentId)) throw unknownSegment('photos', segmentId, source, segmentIds);
      const earlier = chosen.get(segmentId);
      if (earlier?.from === 'segment') continue; // the project file names this segment's photograph: it wins
      if (earlier) throw new InputError('photos', `${earlier.source} and ${source} are both photographs of segment ${segmentId}: keep one`);
      chosen.set(segmentId, { source, from: 'folder', field: 'photos' });
    }
  }
  const photographs: Photograph[] = [];
  for (const segmentId of segmentIds) {
    const found = chosen.get(segmentId);
    if (!found) continue;
    const bytes = /^https:\/\//i.test(found.source)
      ? await fetchPhotograph(found.source, found.field, fetchUrl)
      : await readPhotograph(found.source, found.field, baseDir);
    photographs.push({ segmentId, source: found.source, from: found.from, ...checkPhotograph(bytes, found.source, found.field) });
  }
  return photographs;
}

/** The checks on the bytes themselves: an image Runway takes, within its limits. */
export function checkPhotograph(bytes: Buffer, source: string, field: string): { bytes: Buffer; sha256: string; header: ImageHeader } {
  if (bytes.length > MAX_UPLOAD_BYTES)
    throw new InputError(field, `${source} is ${bytes.length} bytes; Runway's uploads take at most ${MAX_UPLOAD_BYTES} bytes (200 MB)`);
  const header = readImageHeader(bytes);
  if (!header) throw new InputError(field, `${source} is not a PNG, JPEG or WebP image (by its bytes, whatever its name)`);
  const aspect = header.width / header.height;
  if (aspect < MIN_ASPECT || aspect > MAX_ASPECT)
    throw new InputError(
      field,
      `${source} is ${header.width}×${header.height}; Runway takes images whose width / height is between 0.5 and 2`,
    );
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), header };
}

async function readPhotograph(source: string, field: string, baseDir: string): Promise<Buffer> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:\/\//i.test(source))
    throw new InputError(field, `${source}: a photograph is a local file or an https:// URL`);
  const path = /^file:\/\//i.test(source) ? new URL(source).pathname : resolvePath(baseDir, source);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(field, `${source} is not a file`);
    if (info.size > MAX_UPLOAD_BYTES)
      throw new InputError(field, `${source} is ${info.size} bytes; Runway's uploads take at most ${MAX_UPLOAD_BYTES} bytes (200 MB)`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(field, `photograph not found: ${source} (looked for ${path})`);
  }
  return readFile(path);
}

async function fetchPhotograph(url: string, field: string, fetchUrl: SafeFetch | undefined): Promise<Buffer> {
  if (!fetchUrl) throw new InputError(field, `${url}: photographs by URL need the guarded fetch`);
  try {
    const response = await fetchUrl(url, { maxBytes: MAX_UPLOAD_BYTES, allowedTypes: ['image/png', 'image/jpeg', 'image/webp'] });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    if (response.status !== 200) throw new InputError(field, `${url} answered ${response.status}`);
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(field, `${url} could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function unknownSegment(field: string, segmentId: string, source: string, segmentIds: readonly string[]): InputError {
  return new InputError(
    field,
    `${basename(source)} is a photograph for segment ${segmentId}, which the transcript does not have (it has ${segmentIds[0]}…${segmentIds[segmentIds.length - 1]})`,
  );
}
