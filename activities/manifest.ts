import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ActivityDeps } from './deps';
import { manifestObjectKey } from '../schemas/object-keys';

export interface ManifestInput {
  bucket: string;
  prefix: string;
  workloadId: string;
  manifest: unknown;
}

/** Writes `<prefix><workloadId>/manifest.json`: the workload's index of its manifest parts (and, when small, every outcome). */
export function createWriteManifest(deps: Pick<ActivityDeps, 's3'>) {
  return async function writeManifest(input: ManifestInput): Promise<{ bucket: string; key: string }> {
    const key = manifestObjectKey(input.prefix, input.workloadId);
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: key,
        Body: JSON.stringify(input.manifest, null, 2),
        ContentType: 'application/json',
      }),
    );
    return { bucket: input.bucket, key };
  };
}

export interface ManifestPartInput {
  bucket: string;
  key: string;
  entries: unknown[];
}

/** One manifest part: a batch of a workload's outcomes as JSONL. Rewriting the same part (a retry) writes the same bytes. */
export function createWriteManifestPart(deps: Pick<ActivityDeps, 's3'>) {
  return async function writeManifestPart(input: ManifestPartInput): Promise<{ key: string; count: number; sha256: string }> {
    const body = input.entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n';
    const sha256 = createHash('sha256').update(body).digest('hex');
    await deps.s3.send(new PutObjectCommand({ Bucket: input.bucket, Key: input.key, Body: body, ContentType: 'application/x-ndjson' }));
    return { key: input.key, count: input.entries.length, sha256 };
  };
}
