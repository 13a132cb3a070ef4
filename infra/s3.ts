import { S3Client } from '@aws-sdk/client-s3';
import type { S3Env } from '../schemas/env';

/** Where an S3 client talks to; without keys the AWS SDK's default credential chain applies. */
export interface S3Target {
  region: string;
  /** An S3-compatible endpoint (SeaweedFS, R2, …); AWS itself when absent. */
  endpoint?: string;
  /** Path-style addressing; default: on when an endpoint is given (local servers have no per-bucket DNS). */
  forcePathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** The one way every room builds an S3 client. */
export function createS3Client(target: S3Target): S3Client {
  return new S3Client({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    forcePathStyle: target.forcePathStyle ?? target.endpoint !== undefined,
    ...(target.accessKeyId && target.secretAccessKey
      ? { credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey } }
      : {}),
  });
}

/** The target the S3_* / AWS_REGION variables describe (credentials from the AWS SDK's chain). */
export function s3TargetFromEnv(env: S3Env): S3Target {
  return {
    region: env.AWS_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    ...(env.S3_FORCE_PATH_STYLE ? { forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' } : {}),
  };
}
