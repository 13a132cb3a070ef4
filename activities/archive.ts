import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { FailureType, type ArchivedObject } from '../schemas';
import type { ActivityDeps } from './deps';
import { videoObjectKey } from './archive-key';
import { withKeepAlive } from './keep-alive';
import { toApplicationFailure } from './runway/errors';

export const OUTPUT_URL_EXPIRED = FailureType.OutputUrlExpired;
export const DOWNLOAD_TRUNCATED = FailureType.DownloadTruncated;
export const TASK_NOT_SUCCEEDED = FailureType.TaskNotSucceeded;

export interface ArchiveInput {
  videoId: string;
  campaignId: string;
  variantId: string;
  runwayTaskId: string;
  model: string;
  promptText?: string;
  credits: number;
  bucket: string;
  prefix: string;
}

/**
 * GET the task for a fresh signed URL (URLs never enter history), stream the MP4 into S3 while counting
 * and hashing it, and fail (to be retried) on a short read or an expired URL.
 */
export function createArchive(deps: Pick<ActivityDeps, 'runway' | 's3' | 'metrics' | 'downloadTimeoutMs'>) {
  return async function archiveVideo(input: ArchiveInput): Promise<ArchivedObject> {
    const key = videoObjectKey(input.prefix, input.campaignId, input.variantId, input.runwayTaskId);
    return withKeepAlive(async () => {
      const existing = await alreadyArchived(deps.s3, input.bucket, key);
      if (existing) return existing;
      const outputUrl = await freshOutputUrl(deps, input.runwayTaskId);
      const archived = await streamToS3(deps, input, key, outputUrl);
      deps.metrics.archiveBytes(archived.bytes);
      log.info('archived video', { videoId: input.videoId, runwayTaskId: input.runwayTaskId, key, bytes: archived.bytes });
      return archived;
    });
  };
}

async function freshOutputUrl(deps: Pick<ActivityDeps, 'runway'>, taskId: string): Promise<string> {
  let task;
  try {
    task = await deps.runway.getTask(taskId);
  } catch (error) {
    throw toApplicationFailure(error);
  }
  if (task.status !== 'SUCCEEDED' || !task.output[0]) {
    throw ApplicationFailure.create({ type: TASK_NOT_SUCCEEDED, nonRetryable: true, message: `Runway task ${taskId} is ${task.status}, nothing to archive` });
  }
  return task.output[0];
}

async function streamToS3(deps: Pick<ActivityDeps, 's3' | 'downloadTimeoutMs'>, input: ArchiveInput, key: string, outputUrl: string): Promise<ArchivedObject> {
  const timeoutMs = deps.downloadTimeoutMs ?? 120_000;
  const response = await request(outputUrl, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  if (response.statusCode === 403 || response.statusCode === 410) {
    await response.body.dump();
    throw ApplicationFailure.create({ type: OUTPUT_URL_EXPIRED, message: `signed output URL refused (${response.statusCode}); the next attempt fetches a fresh one` });
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw ApplicationFailure.create({ type: 'OutputDownloadFailed', message: `output download answered ${response.statusCode}` });
  }
  const expectedBytes = Number(response.headers['content-length'] ?? Number.NaN);
  const meter = new HashingMeter(Number.isFinite(expectedBytes) ? expectedBytes : undefined);
  const upload = new Upload({
    client: deps.s3,
    params: {
      Bucket: input.bucket,
      Key: key,
      Body: meter,
      ContentType: 'video/mp4',
      Metadata: objectMetadata(input),
    },
    queueSize: 4,
    partSize: 8 * 1024 * 1024,
    leavePartsOnError: false,
  });
  const uploaded = upload.done();
  try {
    await pipeline(response.body, meter);
  } catch (error) {
    await upload.abort().catch(() => undefined);
    await uploaded.catch(() => undefined);
    throw ApplicationFailure.create({ type: DOWNLOAD_TRUNCATED, message: `output download broke off after ${meter.bytes} of ${expectedBytes} bytes: ${String(error)}` });
  }
  const result = await uploaded;
  const sha256 = meter.digest();
  await deps.s3.send(new PutObjectTaggingCommand({ Bucket: input.bucket, Key: key, Tagging: { TagSet: [{ Key: 'sha256', Value: sha256 }] } }));
  return { bucket: input.bucket, key, bytes: meter.bytes, sha256, etag: (result.ETag ?? '').replace(/"/g, '') };
}

/** Counts and hashes the bytes passing through; errors when fewer arrive than Content-Length promised. */
class HashingMeter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private hex: string | undefined;
  private lastBeat = 0;

  constructor(private readonly expectedBytes: number | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (Date.now() - this.lastBeat > 1000) {
      this.lastBeat = Date.now();
      heartbeat({ bytes: this.bytes });
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.expectedBytes !== undefined && this.bytes !== this.expectedBytes) {
      callback(new Error(`short read: ${this.bytes} of ${this.expectedBytes} bytes`));
      return;
    }
    callback();
  }

  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}

/** Metadata that says what the object is. Never a secret, never a signed URL. */
function objectMetadata(input: ArchiveInput): Record<string, string> {
  return {
    'campaign-id': input.campaignId,
    'variant-id': input.variantId,
    'video-id': input.videoId,
    model: input.model,
    'runway-task-id': input.runwayTaskId,
    'prompt-sha256': createHash('sha256').update(input.promptText ?? '').digest('hex'),
    credits: String(input.credits),
  };
}

/** An object this activity finished before (its sha256 tag is written last) is not fetched again. */
async function alreadyArchived(s3: S3Client, bucket: string, key: string): Promise<ArchivedObject | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    const sha256 = tags.TagSet?.find((tag) => tag.Key === 'sha256')?.Value;
    if (!sha256 || head.ContentLength === undefined) return undefined;
    return { bucket, key, bytes: head.ContentLength, sha256, etag: (head.ETag ?? '').replace(/"/g, '') };
  } catch {
    return undefined;
  }
}
