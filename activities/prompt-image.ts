import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, MAX_DATA_URI_BYTES, type ImageRef } from '../schemas';

/**
 * Turn an image reference into what Runway accepts. A staged image becomes a data URI here, at submit
 * time, so the bytes never pass through workflow history.
 */
export async function promptImageUri(s3: S3Client, image: ImageRef): Promise<string> {
  if (image.kind === 'url') return image.url;
  if (image.bytes > MAX_DATA_URI_BYTES) {
    throw ApplicationFailure.create({
      type: FailureType.PromptImageUnavailable,
      nonRetryable: true,
      message: `staged image is ${image.bytes} bytes; data URIs allow at most ${MAX_DATA_URI_BYTES}`,
    });
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: image.bucket, Key: image.key }));
  if (!object.Body) throw new Error(`staged image s3://${image.bucket}/${image.key} has no body`);
  const bytes = await object.Body.transformToByteArray();
  return `data:${image.contentType};base64,${Buffer.from(bytes).toString('base64')}`;
}
