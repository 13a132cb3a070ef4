import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure, log } from '@temporalio/activity';
import { DEFAULT_UPLOAD_REUSE_MS, FailureType, MAX_DATA_URI_BYTES, type ImageRef } from '../schemas';
import type { ActivityDeps } from './deps';
import { uploadImage } from './upload-image';

/**
 * Turn an image reference into what Runway accepts, at submit time, so the bytes never pass through
 * workflow history. An upload's runway:// URI is used as it is while it is young enough; one older than
 * `uploadReuseMs` (Runway keeps it about 24 h) is uploaded again from its source first, so a resubmission
 * after a long queue never names an expired URI. A staged image that was never uploaded (a workflow started
 * before uploads existed) still goes as a data URI.
 */
export async function promptImageUri(
  deps: Pick<ActivityDeps, 'runway' | 's3' | 'safeFetch' | 'uploadReuseMs'>,
  image: ImageRef,
): Promise<string> {
  if (image.kind === 'url') return image.url;
  if (image.kind === 'runway-upload') {
    const ageMs = Date.now() - image.uploadedAt;
    const reuseMs = deps.uploadReuseMs ?? DEFAULT_UPLOAD_REUSE_MS;
    if (ageMs <= reuseMs) return image.uri;
    log.info('prompt image upload is too old to reuse; uploading it again', { uri: image.uri, ageMs, reuseMs });
    return (await uploadImage(deps, image.source)).uri;
  }
  if (image.bytes > MAX_DATA_URI_BYTES) {
    throw ApplicationFailure.create({
      type: FailureType.PromptImageUnavailable,
      nonRetryable: true,
      message: `staged image is ${image.bytes} bytes; data URIs allow at most ${MAX_DATA_URI_BYTES}`,
    });
  }
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: image.bucket, Key: image.key }));
  if (!object.Body) throw new Error(`staged image s3://${image.bucket}/${image.key} has no body`);
  const bytes = await object.Body.transformToByteArray();
  return `data:${image.contentType};base64,${Buffer.from(bytes).toString('base64')}`;
}
