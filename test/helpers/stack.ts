import type { S3Client } from '@aws-sdk/client-s3';
import { Connection } from '@temporalio/client';
import { createS3Client } from '../../infra/s3';
import { readTestStackFile, type TestStackInfo } from './test-stack-file';

export type { TestStackInfo } from './test-stack-file';

/** The stack the jest globalSetup started for this run (shared by every test file). */
export function testStack(): TestStackInfo {
  return readTestStackFile();
}

/** An S3 client with the stack's credentials; call `.destroy()` when done. */
export function s3Client(): S3Client {
  const { s3 } = testStack();
  return createS3Client(s3);
}

/** A client Connection to the stack's Temporal server; call `.close()` when done. */
export function temporalConnection(): Promise<Connection> {
  return Connection.connect({ address: testStack().temporalAddress });
}
