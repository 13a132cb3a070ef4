import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client, testStack } from '../helpers/stack';

/** Calls `read` until `done` holds for its value (or the time is up, then fails naming `what`). */
export async function pollUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every key under a prefix of the test stack's bucket. */
export async function listKeys(prefix: string): Promise<string[]> {
  const s3 = s3Client();
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: testStack().s3.bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
  } finally {
    s3.destroy();
  }
}
