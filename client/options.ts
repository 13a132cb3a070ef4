import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';

/** What every sub-client works with: one Temporal client, one S3 client, the task queue and the archive's default place. */
export interface RunwayTemporalOptions {
  client: Client;
  s3: S3Client;
  taskQueue: string;
  bucket: string;
  prefix: string;
}
