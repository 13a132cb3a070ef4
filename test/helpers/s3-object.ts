import { createHash } from 'node:crypto';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client, testStack } from './stack';

/** Download an archived object and hash it, to compare with the simulator's own record. */
export async function objectSha256(
  key: string,
): Promise<{ sha256: string; bytes: number; metadata: Record<string, string>; tags: Record<string, string> }> {
  const s3 = s3Client();
  const bucket = testStack().s3.bucket;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    const tags = Object.fromEntries((tagging.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, metadata: head.Metadata ?? {}, tags };
  } finally {
    s3.destroy();
  }
}

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

/** A JSON object of the test stack's bucket (a manifest, an edit list), parsed. */
export async function readJsonObject<T>(key: string): Promise<T> {
  const s3 = s3Client();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: testStack().s3.bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as T;
  } finally {
    s3.destroy();
  }
}

/** A text object of the test stack's bucket (an EDL, WebVTT captions). */
export async function readText(key: string): Promise<string> {
  const s3 = s3Client();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: testStack().s3.bucket, Key: key }));
    return await object.Body!.transformToString();
  } finally {
    s3.destroy();
  }
}

/** A binary object of the test stack's bucket (an assembled MP4). */
export async function readBytes(key: string): Promise<Buffer> {
  const s3 = s3Client();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: testStack().s3.bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } finally {
    s3.destroy();
  }
}
