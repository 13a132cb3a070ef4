import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { stagedImageKey } from '../schemas/object-keys';
import { MAX_UPLOAD_BYTES, type ImageRef, type ResolvedVideoRequest } from '../schemas';
import { requestFingerprint } from '../infra/request-fingerprint';
import { InputError } from './input-error';

const IMAGE_TYPES: Array<{ contentType: string; extension: string; matches: (bytes: Buffer) => boolean }> = [
  {
    contentType: 'image/png',
    extension: 'png',
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { contentType: 'image/jpeg', extension: 'jpg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    contentType: 'image/webp',
    extension: 'webp',
    matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

export interface StagingTarget {
  s3: S3Client;
  bucket: string;
  prefix: string;
  workloadId: string;
}

/**
 * A prompt image as the workflow will carry it: URLs pass through; a local file or a data URI is checked
 * (exists, really an image, within Runway's upload limit) and staged in S3, keyed by its sha256; the
 * workflow uploads it to Runway once and passes its runway:// URI.
 */
export async function stagePromptImage(source: string, target: StagingTarget, baseDir: string, rehost = false): Promise<ImageRef> {
  if (/^(https|runway):\/\//i.test(source))
    return { kind: 'url', url: source, ...(rehost && /^https:/i.test(source) ? { rehost: true } : {}) };
  const bytes = /^data:/i.test(source) ? dataUriBytes(source) : await localFileBytes(source, baseDir);
  const type = IMAGE_TYPES.find((candidate) => candidate.matches(bytes));
  if (!type) throw new InputError('promptImage', `${describe(source)} is not a PNG, JPEG or WebP image`);
  return stageImageBytes(bytes, type, target);
}

/** Checked image bytes staged in S3 under their sha256 (once: a staged image is not written again). */
export async function stageImageBytes(
  bytes: Buffer,
  type: { contentType: string; extension: string },
  target: StagingTarget,
): Promise<ImageRef> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = stagedImageKey(target.prefix, target.workloadId, sha256, type.extension);
  if (!(await exists(target.s3, target.bucket, key))) {
    await target.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: bytes, ContentType: type.contentType }));
  }
  return { kind: 's3', bucket: target.bucket, key, contentType: type.contentType, bytes: bytes.length };
}

/**
 * A request as the workflows take it: its image staged (once per source, `staged` remembers), and the
 * fingerprint of what makes the clip.
 */
export async function resolveRequest(
  { promptImage, rehostImage, ...request }: Omit<ResolvedVideoRequest, 'promptImage'> & { promptImage?: string; rehostImage?: boolean },
  target: StagingTarget,
  baseDir: string,
  staged = new Map<string, ImageRef>(),
): Promise<{ request: ResolvedVideoRequest; fingerprint: string }> {
  let imageRef: ImageRef | undefined;
  if (promptImage !== undefined) {
    const stagingKey = `${rehostImage === true ? 'rehost:' : ''}${promptImage}`;
    imageRef = staged.get(stagingKey) ?? (await stagePromptImage(promptImage, target, baseDir, rehostImage === true));
    staged.set(stagingKey, imageRef);
  }
  const resolved: ResolvedVideoRequest = { ...request, ...(imageRef ? { promptImage: imageRef } : {}) };
  return { request: resolved, fingerprint: requestFingerprint(resolved) };
}

/** The image type of these bytes (PNG, JPEG or WebP, by their signature), or undefined. */
export function sniffImageType(bytes: Buffer): string | undefined {
  return IMAGE_TYPES.find((candidate) => candidate.matches(bytes))?.contentType;
}

/** Checks a local image without staging it (validation before anything is started). */
export async function checkLocalImage(source: string, baseDir: string): Promise<void> {
  if (/^(https|runway):\/\//i.test(source)) return;
  const bytes = /^data:/i.test(source) ? dataUriBytes(source) : await localFileBytes(source, baseDir);
  if (!IMAGE_TYPES.some((candidate) => candidate.matches(bytes)))
    throw new InputError('promptImage', `${describe(source)} is not a PNG, JPEG or WebP image`);
}

/** A file:// URL's path, decoded; a URL that names no local file is the user's mistake, not a crash. */
function filePath(source: string): string {
  try {
    return fileURLToPath(source);
  } catch {
    throw new InputError('promptImage', `${source} is not a file URL of this machine (file:///absolute/path)`);
  }
}

async function localFileBytes(source: string, baseDir: string): Promise<Buffer> {
  const path = source.startsWith('file://') ? filePath(source) : resolvePath(baseDir, source);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError('promptImage', `${source} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('promptImage', `image file not found: ${source}`);
  }
  assertFitsUpload(size, `image ${source}`);
  return readFile(path);
}

function dataUriBytes(source: string): Buffer {
  const comma = source.indexOf(',');
  const bytes = Buffer.from(source.slice(comma + 1), 'base64');
  assertFitsUpload(bytes.length, 'the data URI image');
  return bytes;
}

/** The image is uploaded to Runway (POST /v1/uploads): it must fit Runway's 200 MB upload limit. */
function assertFitsUpload(bytes: number, what: string): void {
  if (bytes > MAX_UPLOAD_BYTES) {
    throw new InputError('promptImage', `${what} is ${bytes} bytes; Runway's uploads take at most ${MAX_UPLOAD_BYTES} bytes (200 MB)`);
  }
}

function describe(source: string): string {
  return /^data:/i.test(source) ? 'the data URI' : source;
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}
