import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CampaignResult } from '../../schemas';
import type { SimulatorSnapshot } from '../../simulator/state';

/**
 * Every archived variant's object holds the bytes Runway made: its sha256, computed here from the stored
 * object, equals what the workflow reported and what the simulator recorded for the task's output.
 */
export async function expectArchivedAsMade(
  s3: S3Client,
  bucket: string,
  variants: CampaignResult['variants'],
  tasks: SimulatorSnapshot['tasks'],
): Promise<void> {
  for (const outcome of variants) {
    const reported = outcome.result!.s3;
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: reported.key }));
    const sha256 = createHash('sha256')
      .update(Buffer.from(await object.Body!.transformToByteArray()))
      .digest('hex');
    const task = tasks.find((candidate) => candidate.id === outcome.result!.runwayTaskId);
    expect([outcome.variantId, sha256]).toEqual([outcome.variantId, reported.sha256]);
    expect([outcome.variantId, sha256]).toEqual([outcome.variantId, task?.outputSha256]);
  }
}
