import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure, log } from '@temporalio/activity';
import { Readable } from 'node:stream';
import { strictSafeFetch, type SafeFetch } from '../infra/safe-fetch';
import { FailureType, MAX_UPLOAD_BYTES, type RunwayUploadRef, type UploadSource } from '../schemas';
import type { ActivityDeps } from './deps';
import { RunwayHttpError } from './runway/errors';

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * Upload a prompt image to Runway once (POST /v1/uploads, then the presigned form), streamed from where
 * it is (the staged S3 object, or the URL to re-host): only its runway:// URI comes back, never its bytes.
 */
export function createUploadPromptImage(deps: Pick<ActivityDeps, 'runway' | 's3' | 'safeFetch'>) {
  return async function uploadPromptImage(source: UploadSource): Promise<RunwayUploadRef> {
    return uploadImage(deps, source);
  };
}

export async function uploadImage(deps: Pick<ActivityDeps, 'runway' | 's3' | 'safeFetch'>, source: UploadSource): Promise<RunwayUploadRef> {
  const file = source.kind === 's3' ? await fromS3(deps.s3, source) : await fromUrl(deps.safeFetch ?? strictSafeFetch(), source.url);
  if (file.bytes > MAX_UPLOAD_BYTES) {
    file.body.destroy();
    throw ApplicationFailure.create({
      type: FailureType.PromptImageUnavailable,
      nonRetryable: true,
      message: `prompt image is ${file.bytes} bytes; Runway's uploads take at most ${MAX_UPLOAD_BYTES}`,
    });
  }
  const extension = EXTENSIONS[file.contentType];
  if (!extension) {
    file.body.destroy();
    throw ApplicationFailure.create({
      type: FailureType.PromptImageUnavailable,
      nonRetryable: true,
      message: `prompt image is ${file.contentType}; Runway's uploads take PNG, JPEG or WebP images`,
    });
  }
  try {
    const upload = await deps.runway.createUpload(`prompt-image.${extension}`);
    await deps.runway.uploadFile(upload, { ...file, filename: `prompt-image.${extension}` });
    log.info('uploaded prompt image to Runway', { uri: upload.runwayUri, bytes: file.bytes, source: describe(source) });
    return { kind: 'runway-upload', uri: upload.runwayUri, uploadedAt: Date.now(), source };
  } catch (error) {
    file.body.destroy();
    // A refused upload (bad type, too large, bad form) will be refused again; anything else is retried.
    if (error instanceof RunwayHttpError && error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408) {
      throw ApplicationFailure.create({
        type: FailureType.PromptImageUnavailable,
        nonRetryable: true,
        message: `Runway refused the upload: ${error.message}`,
      });
    }
    throw error;
  }
}

interface UploadFile {
  body: Readable;
  bytes: number;
  contentType: string;
}

async function fromS3(s3: S3Client, source: Extract<UploadSource, { kind: 's3' }>): Promise<UploadFile> {
  const object = await s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
  if (!(object.Body instanceof Readable)) throw new Error(`staged image s3://${source.bucket}/${source.key} has no body`);
  return { body: object.Body, bytes: object.ContentLength ?? source.bytes, contentType: source.contentType };
}

async function fromUrl(safeFetch: SafeFetch, url: string): Promise<UploadFile> {
  // A user's URL: fetched through the guard that refuses private networks, with the upload's own limits.
  const response = await safeFetch(url, { maxBytes: MAX_UPLOAD_BYTES, allowedTypes: Object.keys(EXTENSIONS) });
  if (response.status !== 200 || response.contentLength === undefined) {
    response.body.destroy();
    const retryable = response.status >= 500 || response.status === 429;
    const origin = new URL(response.url).origin;
    const message = response.status !== 200 ? `${origin} answered ${response.status}` : `${origin} gave no Content-Length`;
    if (retryable) throw new Error(message);
    throw ApplicationFailure.create({
      type: FailureType.PromptImageUnavailable,
      nonRetryable: true,
      message: `cannot re-host the prompt image: ${message}`,
    });
  }
  return { body: response.body, bytes: response.contentLength, contentType: response.contentType };
}

/** Where an image came from, without a URL's query (a signature or token). */
function describe(source: UploadSource): string {
  if (source.kind === 's3') return `s3://${source.bucket}/${source.key}`;
  const url = new URL(source.url);
  return `${url.origin}${url.pathname}`;
}
