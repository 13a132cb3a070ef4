import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, campaignVariantSchema, type CampaignVariant } from '../schemas';
import type { ActivityDeps } from './deps';

export interface VariantPartRef {
  bucket: string;
  key: string;
  sha256: string;
}

/**
 * One part of a campaign's variants (JSONL, written by the client): a bounded page, so the workflow never
 * holds the whole campaign and no payload grows with it. A part that changed since it was written fails
 * the campaign: its variants could be other than those the client validated.
 */
export function createReadVariantPart(deps: Pick<ActivityDeps, 's3'>) {
  return async function readVariantPart(ref: VariantPartRef): Promise<CampaignVariant[]> {
    let bytes: Uint8Array;
    try {
      const object = await deps.s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      bytes = await object.Body!.transformToByteArray();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') {
        throw ApplicationFailure.create({
          type: FailureType.CampaignInputChanged,
          nonRetryable: true,
          message: `the campaign's variant part s3://${ref.bucket}/${ref.key} is gone`,
        });
      }
      throw error;
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== ref.sha256) {
      throw ApplicationFailure.create({
        type: FailureType.CampaignInputChanged,
        nonRetryable: true,
        message: `the campaign's variant part s3://${ref.bucket}/${ref.key} changed since it was written (sha256 ${digest}, expected ${ref.sha256})`,
      });
    }
    return Buffer.from(bytes)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => campaignVariantSchema.parse(JSON.parse(line)));
  };
}
