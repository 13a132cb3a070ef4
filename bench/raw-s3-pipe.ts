import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { request, type Dispatcher } from 'undici';
// The same part size and parallelism as the activity, so only the activity's own work differs.
import { ARCHIVE_PART_SIZE, ARCHIVE_QUEUE_SIZE } from '../activities/archive';

export interface RawPipeTarget {
  url: string;
  bucket: string;
  key: string;
  /** Its own connection pool, so no socket is shared with the product's activities (see archive-bench.ts). */
  dispatcher: Dispatcher;
}

/** The least one can do: undici's response stream straight into a lib-storage Upload. No hash, no checks. */
export async function pipeUrlToS3(s3: S3Client, target: RawPipeTarget): Promise<{ bytes: number }> {
  const response = await request(target.url, { method: 'GET', dispatcher: target.dispatcher });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`download answered ${response.statusCode}`);
  }
  const upload = new Upload({
    client: s3,
    params: { Bucket: target.bucket, Key: target.key, Body: response.body, ContentType: 'video/mp4' },
    queueSize: ARCHIVE_QUEUE_SIZE,
    partSize: ARCHIVE_PART_SIZE,
    leavePartsOnError: false,
  });
  await upload.done();
  return { bytes: Number(response.headers['content-length'] ?? 0) };
}
