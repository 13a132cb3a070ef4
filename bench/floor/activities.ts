import RunwayML from '@runwayml/sdk';
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../../schemas';
import type { S3Client } from '@aws-sdk/client-s3';
import { Agent } from 'undici';
import { CAP, POLL_INTERVAL_MS } from '../bench-config';
import type { BenchStack } from '../bench-stack';
import { pipeUrlToS3 } from '../raw-s3-pipe';
import { generate } from '../sdk-contender';
import type { FloorVariant } from './workflows';

export type FloorActivities = ReturnType<typeof floorActivities>;

/** The SDK loop's work for one variant, as one activity: create, poll at the bench's interval, stream into S3. */
export function floorActivities(bench: BenchStack, s3: S3Client) {
  const client = new RunwayML({ apiKey: bench.runwayApiSecret, baseURL: bench.runwayBaseUrl, maxRetries: 2 });
  const downloads = new Agent({ connections: CAP });
  return {
    async generateAndArchive(variant: FloorVariant): Promise<void> {
      const task = await generate(client, variant.promptText, POLL_INTERVAL_MS);
      const url = task.status === 'SUCCEEDED' ? task.output[0] : undefined;
      if (!url) throw ApplicationFailure.nonRetryable(`task ${task.id} ended ${task.status}`, FailureType.TaskNotSucceeded);
      await pipeUrlToS3(s3, { url, bucket: bench.bucket, key: variant.key, dispatcher: downloads });
    },
  };
}
