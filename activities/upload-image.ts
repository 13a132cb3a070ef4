import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure, log } from '@temporalio/activity';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { FailureType, MAX_UPLOAD_BYTES, type RunwayUploadRef, type UploadSource } from '../schemas';
import type { ActivityDeps } from './deps';
import { RunwayHttpError } from './runway/errors';

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * Upload a prompt image to Runway once (POST /v1/uploads, then the presigned form), streamed from where
 * it is (the staged S3 object, or the URL to re-host): only its runway:// URI comes back, never its bytes.
 */
export function createUploadPromptImage(deps: Pick<ActivityDeps, 'runway' | 's3'>) {
  return async function uploadPromptImage(source: UploadSource): Promise<RunwayUploadRef> {
    return uploadImage(deps, source);
  };
}

export async function uploadImage(deps: Pick<ActivityDeps, 'runway' | 's3'>, source: UploadSource): Promise<RunwayUploadRef> {
  const file = source.kind === 's3' ? await fromS3(deps.s3, source) : await fromUrl(source.url);
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

async function fromUrl(url: string): Promise<UploadFile> {
  const response = await request(url, { method: 'GET', headersTimeout: 30_000, bodyTimeout: 60_000 });
  const contentType = String(response.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const length = Number(response.headers['content-length']);
  if (response.statusCode !== 200 || !Number.isInteger(length)) {
    await response.body.dump();
    const retryable = response.statusCode >= 500 || response.statusCode === 429;
    const message = response.statusCode !== 200 ? `GET ${url} answered ${response.statusCode}` : `GET ${url} gave no Content-Length`;
    if (retryable) throw new Error(message);
    throw ApplicationFailure.create({
      type: FailureType.PromptImageUnavailable,
      nonRetryable: true,
      message: `cannot re-host the prompt image: ${message}`,
    });
  }
  return { body: Readable.from(response.body), bytes: length, contentType };
}

function describe(source: UploadSource): string {
  return source.kind === 's3' ? `s3://${source.bucket}/${source.key}` : source.url;
}
