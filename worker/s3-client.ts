import { S3Client } from '@aws-sdk/client-s3';
import type { S3Env } from '../schemas/env';

/** An S3 client for AWS or any S3-compatible endpoint (path-style when an endpoint is given). */
export function createS3Client(env: S3Env): S3Client {
  return new S3Client({
    region: env.AWS_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE === 'true' : env.S3_ENDPOINT !== undefined,
  });
}
