import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ResolvedGenerationRequest, RunwayUploadRef, UploadSource } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { needsUpload } from '../../schemas/generation-values';
import { promptImageActivities } from '../activity-stubs';

/**
 * A workload's prompt images uploaded to Runway once each: the first request that needs an image starts
 * its upload, every other request with the same image (the same content digest, or the same URL to
 * re-host) awaits that same upload and gets the same runway:// URI. Only the URI, the S3 key and sizes
 * enter history, never the bytes.
 */
export class PromptImageUploads {
  private readonly uploads = new Map<string, Promise<RunwayUploadRef>>();

  /** The request with its prompt image as a runway:// upload, when it has one to upload; else as it is. */
  async withUpload<R extends ResolvedGenerationRequest>(request: R): Promise<R> {
    if (request.kind === 'speech' || !needsUpload(request.promptImage)) return request;
    const source = request.promptImage;
    const key = uploadKey(source);
    let upload = this.uploads.get(key);
    if (!upload) {
      upload = startUpload(source);
      this.uploads.set(key, upload);
    }
    return { ...request, promptImage: await upload };
  }
}

/** Staged images are keyed by their sha256 (in the S3 key), so one image used by many requests is one upload. */
function uploadKey(source: UploadSource): string {
  if (source.kind === 'url') return `url:${source.url}`;
  const digest = /\/inputs\/([0-9a-f]{64})\.[a-z]+$/.exec(source.key)?.[1];
  return digest ? `sha256:${digest}` : `s3://${source.bucket}/${source.key}`;
}

async function startUpload(source: UploadSource): Promise<RunwayUploadRef> {
  const what = source.kind === 's3' ? `${source.bytes} bytes from s3://${source.bucket}/${source.key}` : source.url;
  try {
    return await promptImageActivities().uploadPromptImage.executeWithOptions({ summary: `upload the prompt image to Runway (${what})` }, [
      source,
    ]);
  } catch (error) {
    // The activity's typed failure is what the videos that needed the image fail with.
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({
        type: error.cause.type ?? FailureType.PromptImageUnavailable,
        message: error.cause.message,
        nonRetryable: true,
      });
    }
    throw error;
  }
}
