import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Context, activityInfo, getClient, log } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { FailureType, withArchive, type ArchivedObject, type GenerationKind, type GenerationResult } from '../schemas';
import { generationEndSignal } from '../workflows/messages';
import { showParentState } from './parent-state';
import type { ActivityDeps } from './deps';
import { generationObjectKey } from '../schemas/object-keys';
import { DownloadMeter } from './download-meter';
import { withKeepAlive } from './keep-alive';
import { toApplicationFailure } from './runway/errors';

/**
 * lib-storage buffers up to queueSize parts in flight plus the one it is filling: with the minimum part
 * size and two in flight the activity's memory stays flat (tens of MB) whatever the file size.
 */
export const ARCHIVE_PART_SIZE = 5 * 1024 * 1024;
export const ARCHIVE_QUEUE_SIZE = 2;

export interface ArchiveInput {
  generationId: string;
  workloadId: string;
  generationKey: string;
  runwayTaskId: string;
  /** The object's file name without extension; the task id when not given. */
  outputName?: string;
  /** What the task made: a video (the default) or speech; decides which outputs and keys are expected. */
  kind?: GenerationKind;
  model: string;
  promptText?: string;
  credits: number;
  bucket: string;
  prefix: string;
  /**
   * A reporting child's end, told to its parent by this activity once the object is in S3: the generation's
   * own signal would cost it two history events and a workflow task. The result lacks only what the archive
   * makes (where, and when).
   */
  reportEnd?: { parentWorkflowId: string; workflowId: string; result: Omit<GenerationResult, 's3'> };
  /**
   * The parent workload that shows this generation's state: it is shown 'archiving' only once the archive
   * lasts (a retry, or past ARCHIVING_SHOWN_AFTER_MS), not for the moment a small clip takes — each signal
   * costs the parent a workflow task. `submissions`: the generation's count so far.
   */
  parent?: { workflowId: string; generationKey: string; submissions: number };
}

/** An archive still running after this long is shown as 'archiving' by its parent (every retry is at once). */
export const ARCHIVING_SHOWN_AFTER_MS = 1_000;

/**
 * The media types each kind of task outputs, by what the download's Content-Type says, and the object's
 * extension: the first is what an output without a usable Content-Type is taken for.
 */
const OUTPUT_TYPES: Record<GenerationKind, ReadonlyArray<{ contentType: string; extension: string }>> = {
  video: [{ contentType: 'video/mp4', extension: 'mp4' }],
  speech: [
    { contentType: 'audio/mpeg', extension: 'mp3' },
    { contentType: 'audio/wav', extension: 'wav' },
    { contentType: 'audio/x-wav', extension: 'wav' },
    { contentType: 'audio/wave', extension: 'wav' },
    { contentType: 'audio/ogg', extension: 'ogg' },
  ],
};

/** The output's type and extension: the download's Content-Type when it is one this kind makes, else the kind's default. */
function outputType(kind: GenerationKind, contentTypeHeader: unknown): { contentType: string; extension: string } {
  const types = OUTPUT_TYPES[kind];
  const given = typeof contentTypeHeader === 'string' ? contentTypeHeader.split(';')[0]!.trim().toLowerCase() : '';
  return types.find((type) => type.contentType === given) ?? types[0]!;
}

/**
 * GET the task for a fresh signed URL (URLs never enter history), stream the output (an MP4, or the audio
 * of a speech task) into S3 while counting and hashing it, and fail (to be retried) on a short read or an
 * expired URL.
 */
export function createArchive(deps: Pick<ActivityDeps, 'runway' | 's3' | 'metrics' | 'downloadTimeoutMs'>) {
  return async function archiveGeneration(input: ArchiveInput): Promise<ArchivedObject> {
    const kind = input.kind ?? 'video';
    const keyFor = (extension: string) =>
      generationObjectKey(input.prefix, input.workloadId, input.generationKey, input.outputName ?? input.runwayTaskId, extension);
    return withKeepAlive(async () => {
      const shown = input.parent ? showArchiving(input.parent, input.runwayTaskId) : undefined;
      try {
        const archived = await archiveOnce();
        if (input.reportEnd) await reportArchived(input.reportEnd, archived);
        return archived;
      } finally {
        shown?.cancel();
      }
    });

    async function archiveOnce(): Promise<ArchivedObject> {
      // A first attempt cannot find its own earlier copy; a later one may (the worker died after the upload).
      if (activityInfo().attempt > 1) {
        for (const extension of new Set(OUTPUT_TYPES[kind].map((type) => type.extension))) {
          const existing = await alreadyArchived(deps.s3, input.bucket, keyFor(extension));
          if (existing) return existing;
        }
      }
      const outputUrl = await freshOutputUrl(deps, input.runwayTaskId);
      const archived = await streamToS3(deps, input, (contentType) => outputType(kind, contentType), keyFor, outputUrl);
      deps.metrics.archiveBytes(archived.bytes);
      log.info(`archived ${kind}`, {
        generationId: input.generationId,
        runwayTaskId: input.runwayTaskId,
        key: archived.key,
        bytes: archived.bytes,
      });
      return archived;
    }
  };
}

/** Tells the parent the generation is archiving once this attempt lasts (a retry at once). Best effort, as every state is. */
function showArchiving(parent: NonNullable<ArchiveInput['parent']>, runwayTaskId: string): { cancel(): void } {
  const timer = setTimeout(
    () =>
      void showParentState(parent.workflowId, {
        generationKey: parent.generationKey,
        state: 'archiving',
        runwayTaskId,
        submissions: parent.submissions,
      }),
    activityInfo().attempt > 1 ? 0 : ARCHIVING_SHOWN_AFTER_MS,
  );
  return { cancel: () => clearTimeout(timer) };
}

/**
 * The parent must not miss an end: a failed signal fails the attempt, whose retry finds the object in S3
 * and signals again (the parent counts a generation's end once). A parent already closed has nothing to learn.
 */
async function reportArchived(report: NonNullable<ArchiveInput['reportEnd']>, archived: ArchivedObject): Promise<void> {
  const archivedAt = Date.now();
  const generatedAt = report.result.timings.generatedAt;
  const result = withArchive(report.result, archived, {
    ...report.result.timings,
    archivedAt: new Date(archivedAt).toISOString(),
    archiveMs: generatedAt ? archivedAt - Date.parse(generatedAt) : report.result.timings.archiveMs,
  });
  try {
    await getClient().workflow.getHandle(report.parentWorkflowId).signal(generationEndSignal, {
      generationKey: result.generationKey,
      workflowId: report.workflowId,
      state: 'archived',
      result,
      credits: result.credits,
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return;
    throw error;
  }
}

async function freshOutputUrl(deps: Pick<ActivityDeps, 'runway'>, taskId: string): Promise<string> {
  let task;
  try {
    task = await deps.runway.getTask(taskId);
  } catch (error) {
    throw toApplicationFailure(error);
  }
  if (task.status !== 'SUCCEEDED' || !task.output[0]) {
    throw ApplicationFailure.create({
      type: FailureType.TaskNotSucceeded,
      nonRetryable: true,
      message: `Runway task ${taskId} is ${task.status}, nothing to archive`,
    });
  }
  return task.output[0];
}

async function streamToS3(
  deps: Pick<ActivityDeps, 's3' | 'downloadTimeoutMs'>,
  input: ArchiveInput,
  typeOf: (contentTypeHeader: unknown) => { contentType: string; extension: string },
  keyFor: (extension: string) => string,
  outputUrl: string,
): Promise<ArchivedObject> {
  const timeoutMs = deps.downloadTimeoutMs ?? 120_000;
  const response = await request(outputUrl, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  if (response.statusCode === 403 || response.statusCode === 410) {
    await response.body.dump();
    throw ApplicationFailure.create({
      type: FailureType.OutputUrlExpired,
      message: `signed output URL refused (${response.statusCode}); the next attempt fetches a fresh one`,
    });
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw ApplicationFailure.create({ type: FailureType.OutputDownloadFailed, message: `output download answered ${response.statusCode}` });
  }
  const { contentType, extension } = typeOf(response.headers['content-type']);
  const key = keyFor(extension);
  const expectedBytes = Number(response.headers['content-length'] ?? Number.NaN);
  // Stream callbacks run in the async context of whoever opened the pooled socket (maybe another
  // activity, or none): heartbeat through this activity's own context, taken here.
  const context = Context.current();
  const meter = new DownloadMeter(response.body, (bytes) => context.heartbeat({ bytes }));
  const upload = new Upload({
    client: deps.s3,
    params: {
      Bucket: input.bucket,
      Key: key,
      Body: response.body,
      ContentType: contentType,
      Metadata: objectMetadata(input),
    },
    queueSize: ARCHIVE_QUEUE_SIZE,
    partSize: ARCHIVE_PART_SIZE,
    leavePartsOnError: false,
  });
  let result;
  try {
    result = await upload.done();
  } catch (error) {
    // lib-storage has aborted the multipart upload (leavePartsOnError: false); nothing is left at the key.
    const downloadError = response.body.errored;
    response.body.destroy();
    if (!downloadError) throw error;
    throw ApplicationFailure.create({
      type: FailureType.DownloadTruncated,
      message: `output download broke off after ${meter.bytes} of ${expectedBytes} bytes: ${String(downloadError)}`,
    });
  }
  // undici refuses a body shorter than its Content-Length before the upload can complete; this keeps
  // that promise from ever becoming a short object that a retry would take for a finished archive.
  if (Number.isFinite(expectedBytes) && meter.bytes !== expectedBytes) {
    await deps.s3.send(new DeleteObjectCommand({ Bucket: input.bucket, Key: key }));
    throw ApplicationFailure.create({
      type: FailureType.DownloadTruncated,
      message: `archived ${meter.bytes} of ${expectedBytes} bytes; the short object was deleted`,
    });
  }
  return {
    bucket: input.bucket,
    key,
    bytes: meter.bytes,
    sha256: meter.digest(),
    etag: (result.ETag ?? '').replace(/"/g, ''),
    contentType,
  };
}

/** Metadata that says what the object is. Never a secret, never a signed URL. */
function objectMetadata(input: ArchiveInput): Record<string, string> {
  return {
    'workload-id': input.workloadId,
    'generation-key': input.generationKey,
    'generation-id': input.generationId,
    model: input.model,
    'runway-task-id': input.runwayTaskId,
    'prompt-sha256': createHash('sha256')
      .update(input.promptText ?? '')
      .digest('hex'),
    credits: String(input.credits),
  };
}

/**
 * An object at the key is complete: S3 makes an object visible only once its PUT or multipart upload
 * completes, and a short download fails the upload before that. Hash it back rather than fetch again.
 */
async function alreadyArchived(s3: S3Client, bucket: string, key: string): Promise<ArchivedObject | undefined> {
  let contentType: string | undefined;
  try {
    contentType = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentType;
  } catch {
    return undefined;
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of object.Body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  log.info('output was archived by an earlier attempt', { key, bytes });
  return {
    bucket,
    key,
    bytes,
    sha256: hash.digest('hex'),
    etag: (object.ETag ?? '').replace(/"/g, ''),
    ...(contentType ? { contentType } : {}),
  };
}
