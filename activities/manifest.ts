import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ActivityDeps } from './deps';
import { manifestObjectKey } from '../schemas/object-keys';

export interface ManifestInput {
  bucket: string;
  prefix: string;
  campaignId: string;
  manifest: unknown;
}

/** Writes `<prefix><campaignId>/manifest.json`: every variant's result or error. */
export function createWriteManifest(deps: Pick<ActivityDeps, 's3'>) {
  return async function writeManifest(input: ManifestInput): Promise<{ bucket: string; key: string }> {
    const key = manifestObjectKey(input.prefix, input.campaignId);
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
