import type { S3Client } from '@aws-sdk/client-s3';

/** Where a workload's plan stages its inputs: every workload's planner takes this. */
export interface PlanContext {
  s3: S3Client;
  /** Bucket and prefix when the workload file names none. */
  defaultBucket: string;
  defaultPrefix: string;
  baseDir: string;
  taskQueue?: string;
}
