import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../schemas/failures';
import type { AssembledExplainer, ScormPackageRecord } from '../schemas/assembly';
import type { WrittenScormPackage } from './delivery/scorm-package';
import { ARCHIVE_PART_SIZE, ARCHIVE_QUEUE_SIZE } from './archive';
import { DownloadMeter } from './download-meter';

/**
 * The explainer assembly's S3 side: its inputs read back and checked against their recorded sha256, and its
 * outputs written so that the MP4 is the commit point (the sidecar first, nothing ever overwritten).
 */

export function assemblyFailed(message: string, nonRetryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.AssemblyFailed, nonRetryable, message });
}

export async function objectSize(s3: S3Client, object: { bucket: string; key: string }): Promise<number> {
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
  } catch (error) {
    if (isNotFound(error)) throw assemblyFailed(`input s3://${object.bucket}/${object.key} does not exist`, true);
    throw error;
  }
  return head.ContentLength ?? 0;
}

/** Streams one input to disk, hashing it; never more bytes than HEAD said, and the hash must be the recorded one. */
export async function download(
  s3: S3Client,
  object: { bucket: string; key: string; sha256: string },
  size: number,
  file: string,
  signal: AbortSignal,
): Promise<void> {
  const response = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }), { abortSignal: signal });
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    response.Body as Readable,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        bytes += chunk.length;
        if (bytes > size) throw assemblyFailed(`input s3://${object.bucket}/${object.key} is longer than its ${size} bytes`);
        hash.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(file),
    { signal },
  );
  const sha256 = hash.digest('hex');
  if (sha256 !== object.sha256) {
    throw assemblyFailed(`input s3://${object.bucket}/${object.key} has sha256 ${sha256}, not the recorded ${object.sha256}`, true);
  }
}

export async function head(s3: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
}

/** What an earlier attempt left: all of the result but the chunks' timings, which only the clips tell. */
export type ExistingAssembly = Omit<AssembledExplainer, 'timings'>;

/**
 * The final MP4 when it is there: S3 shows an object only once its upload completed, so one that exists is
 * whole. One made from other inputs (or with no record) is never replaced. `withPackage`: the assembly
 * was asked for the SCORM package too, so it must be there as well.
 */
export async function existingAssembly(
  s3: S3Client,
  bucket: string,
  keys: { mp4Key: string; vttKey: string; packageKey: string },
  inputsSha256: string,
  withPackage: boolean,
): Promise<ExistingAssembly | undefined> {
  const { mp4Key, vttKey, packageKey } = keys;
  const mp4 = await head(s3, bucket, mp4Key);
  if (!mp4) return undefined;
  const metadata = mp4.Metadata ?? {};
  if (metadata['inputs-sha256'] !== inputsSha256 || !metadata.sha256) {
    throw ApplicationFailure.create({
      type: FailureType.AssemblyConflict,
      nonRetryable: true,
      message: `s3://${bucket}/${mp4Key} already holds an assembly of other inputs; it is never overwritten`,
    });
  }
  const [vtt, zip] = await Promise.all([head(s3, bucket, vttKey), withPackage ? head(s3, bucket, packageKey) : undefined]);
  if (!vtt?.Metadata?.sha256)
    throw assemblyFailed(`s3://${bucket}/${mp4Key} exists but its subtitles s3://${bucket}/${vttKey} do not`, true);
  if (withPackage && !zip?.Metadata?.sha256)
    throw assemblyFailed(`s3://${bucket}/${mp4Key} exists but its SCORM package s3://${bucket}/${packageKey} does not`, true);
  return {
    mp4: {
      bucket,
      key: mp4Key,
      bytes: mp4.ContentLength ?? 0,
      sha256: metadata.sha256,
      durationSeconds: Number(metadata['duration-seconds']),
    },
    subtitles: { bucket, key: vttKey, sha256: vtt.Metadata.sha256 },
    ...(zip?.Metadata?.sha256
      ? { package: { bucket, key: packageKey, bytes: zip.ContentLength ?? 0, sha256: zip.Metadata.sha256, format: 'scorm-1.2' as const } }
      : {}),
  };
}

/** The sidecar goes first (the MP4 is the commit point); the same bytes from an earlier attempt are left alone. */
export async function putSubtitles(
  s3: S3Client,
  bucket: string,
  key: string,
  vtt: string,
  inputsSha256: string,
): Promise<AssembledExplainer['subtitles']> {
  const sha256 = createHash('sha256').update(vtt).digest('hex');
  const existing = await head(s3, bucket, key);
  if (existing) {
    if (existing.Metadata?.sha256 === sha256) return { bucket, key, sha256 };
    throw ApplicationFailure.create({
      type: FailureType.AssemblyConflict,
      nonRetryable: true,
      message: `s3://${bucket}/${key} already holds other subtitles; it is never overwritten`,
    });
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: vtt,
      ContentType: 'text/vtt; charset=utf-8',
      Metadata: { sha256, 'inputs-sha256': inputsSha256 },
    }),
  );
  return { bucket, key, sha256 };
}

export interface FileUpload {
  bucket: string;
  key: string;
  contentType: string;
  file: string;
  bytes: number;
  sha256: string;
  metadata: Record<string, string>;
}

/** Streams a file (the MP4, the package) with lib-storage (flat memory), hashing what goes out; cancelled, it aborts and leaves no object. */
export async function uploadFile(
  s3: S3Client,
  context: Context,
  progress: { quietly(extra: Record<string, unknown>): void },
  target: FileUpload,
): Promise<{ bucket: string; key: string; bytes: number; sha256: string }> {
  const body = createReadStream(target.file);
  const meter = new DownloadMeter(body, (bytes) => progress.quietly({ bytes }));
  const upload = new Upload({
    client: s3,
    params: { Bucket: target.bucket, Key: target.key, Body: body, ContentType: target.contentType, Metadata: target.metadata },
    queueSize: ARCHIVE_QUEUE_SIZE,
    partSize: ARCHIVE_PART_SIZE,
    leavePartsOnError: false,
  });
  const abort = () => void upload.abort();
  context.cancellationSignal.addEventListener('abort', abort);
  try {
    await upload.done();
  } catch (error) {
    body.destroy();
    if (context.cancellationSignal.aborted && context.cancellationSignal.reason instanceof Error) throw context.cancellationSignal.reason;
    throw error;
  } finally {
    context.cancellationSignal.removeEventListener('abort', abort);
  }
  if (meter.bytes !== target.bytes || meter.digest() !== target.sha256) {
    // The record must never name bytes other than the object's: remove it, and let the retry redo it.
    await s3.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: target.key }));
    throw assemblyFailed(
      `uploaded ${meter.bytes} bytes hashing ${meter.digest()}, but the checked file has ${target.bytes} bytes hashing ${target.sha256}`,
    );
  }
  return { bucket: target.bucket, key: target.key, bytes: target.bytes, sha256: target.sha256 };
}

/** An upload whose parts are all stored but whose object does not exist until `commit`. */
export interface StagedUpload {
  /** Makes the object appear, whole, in one request. */
  commit(): Promise<{ bucket: string; key: string; bytes: number; sha256: string }>;
  /** Drops the stored parts; the object never appears. */
  abort(): Promise<void>;
}

/**
 * Sends a file (the MP4) as a multipart upload and stops short of completing it: its bytes travel while
 * the rest of the output (the sidecar) does, and the object still appears only when `commit` is called,
 * after it — the commit point stays last without the upload waiting for its turn.
 * The parts are read in order and hashed as they go out; bytes other than the checked file's are never
 * committed. On any failure or cancellation the parts are dropped.
 */
export async function stageUpload(
  s3: S3Client,
  context: Context,
  progress: { quietly(extra: Record<string, unknown>): void },
  target: FileUpload,
): Promise<StagedUpload> {
  const { bucket, key } = target;
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: target.contentType, Metadata: target.metadata }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw assemblyFailed(`S3 gave no upload id for s3://${bucket}/${key}`);
  const abort = async () => {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  };
  const signal = context.cancellationSignal;
  try {
    const hash = createHash('sha256');
    const parts: CompletedPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let sent = 0;
    let stored = 0;
    const handle = await fs.open(target.file, 'r');
    try {
      const count = Math.max(1, Math.ceil(target.bytes / ARCHIVE_PART_SIZE));
      for (let partNumber = 1; partNumber <= count; partNumber++) {
        signal.throwIfAborted();
        const body = Buffer.alloc(Math.min(ARCHIVE_PART_SIZE, target.bytes - sent));
        const { bytesRead } = await handle.read(body, 0, body.length, sent);
        if (bytesRead !== body.length) throw assemblyFailed(`${target.file} is shorter than its checked ${target.bytes} bytes`);
        hash.update(body);
        sent += bytesRead;
        const sending = s3
          .send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }), {
            abortSignal: signal,
          })
          .then((answer) => {
            parts.push({ PartNumber: partNumber, ETag: answer.ETag });
            stored += body.length;
            progress.quietly({ bytes: stored });
          });
        inFlight.add(sending);
        void sending.finally(() => inFlight.delete(sending)).catch(() => undefined);
        if (inFlight.size >= ARCHIVE_QUEUE_SIZE) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } finally {
      await handle.close();
    }
    const sha256 = hash.digest('hex');
    if (sent !== target.bytes || sha256 !== target.sha256) {
      throw assemblyFailed(`read ${sent} bytes hashing ${sha256}, but the checked file has ${target.bytes} bytes hashing ${target.sha256}`);
    }
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    return {
      abort,
      commit: async () => {
        await s3.send(
          new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        );
        return { bucket, key, bytes: target.bytes, sha256 };
      },
    };
  } catch (error) {
    await abort().catch(() => undefined);
    if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
    throw error;
  }
}

/**
 * The SCORM package, unless an earlier attempt of the same inputs put it there already; one of other
 * inputs is never overwritten.
 */
export async function putPackage(
  s3: S3Client,
  context: Context,
  progress: { quietly(extra: Record<string, unknown>): void },
  target: { bucket: string; key: string; file: string; inputsSha256: string; written: WrittenScormPackage },
): Promise<ScormPackageRecord> {
  const existing = await head(s3, target.bucket, target.key);
  if (existing) {
    // The same inputs, or the same bytes (packages are deterministic: one of the same MP4 and cues is identical).
    const sha256 = existing.Metadata?.sha256;
    if (sha256 && (existing.Metadata?.['inputs-sha256'] === target.inputsSha256 || sha256 === target.written.sha256))
      return {
        bucket: target.bucket,
        key: target.key,
        bytes: existing.ContentLength ?? 0,
        sha256,
        format: 'scorm-1.2',
      };
    throw ApplicationFailure.create({
      type: FailureType.AssemblyConflict,
      nonRetryable: true,
      message: `s3://${target.bucket}/${target.key} already holds a package of other inputs; it is never overwritten`,
    });
  }
  const uploaded = await uploadFile(s3, context, progress, {
    bucket: target.bucket,
    key: target.key,
    contentType: 'application/zip',
    file: target.file,
    bytes: target.written.bytes,
    sha256: target.written.sha256,
    metadata: { sha256: target.written.sha256, 'inputs-sha256': target.inputsSha256, format: 'scorm-1.2' },
  });
  return { ...uploaded, format: 'scorm-1.2' };
}
