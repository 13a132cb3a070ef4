import { S3Client } from '@aws-sdk/client-s3';
import type { S3Env } from '../schemas/env';

/**
 * The AWS SDK warns on stderr that Node 20 support ends in 2027. The project supports Node >= 20
 * (package.json engines); the warning would break the CLI's promise of one line on stderr.
 */
export function quietAwsNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** An S3 client for AWS or any S3-compatible endpoint (path-style when an endpoint is given). */
export function createS3Client(env: S3Env): S3Client {
  quietAwsNodeVersionWarning();
  return new S3Client({
    region: env.AWS_REGION,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE === 'true' : env.S3_ENDPOINT !== undefined,
  });
}
