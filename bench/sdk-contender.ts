import { setTimeout as sleep } from 'node:timers/promises';
import RunwayML from '@runwayml/sdk';
import { Agent } from 'undici';
import type { TaskRetrieveResponse } from '@runwayml/sdk/resources/tasks';
import { CAP, DURATION, MODEL, RATIO } from './bench-config';
import type { BenchStack } from './bench-stack';
import { variantId } from './campaign-file';
import { measureContender, type ContenderRun } from './contender-run';
import { pipeUrlToS3 } from './raw-s3-pipe';
import { ConcurrencyLimiter } from './concurrency-limiter';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * (b) What a user writes instead: the official SDK in one process, a 10-slot limiter held while a task
 * can occupy a Runway slot, tasks.retrieve() at our poll interval (waitForTaskOutput polls every 6 s
 * and cannot be tuned), then the same archive work as ours: download and stream into S3.
 */
export async function runSdkCampaign(
  bench: BenchStack,
  run: { campaignId: string; prompts: readonly string[]; pollIntervalMs: number; round: number },
): Promise<ContenderRun> {
  const client = new RunwayML({ apiKey: bench.runwayApiSecret, baseURL: bench.runwayBaseUrl, maxRetries: 2 });
  const s3 = bench.newS3Client();
  const downloads = new Agent({ connections: CAP });
  const limiter = new ConcurrencyLimiter(CAP);
  const { outcome: _outcome, ...measured } = await measureContender(bench.sim, 'sdk', run.round, async () => {
    const outcomes = await Promise.allSettled(
      run.prompts.map(async (promptText, index) => {
        const task = await limiter.run(() => generate(client, promptText, run.pollIntervalMs));
        if (task.status !== 'SUCCEEDED' || !task.output[0]) throw new Error(`task ${task.id} ended ${task.status}`);
        await pipeUrlToS3(s3, {
          url: task.output[0],
          bucket: bench.bucket,
          key: `sdk/${run.campaignId}/${variantId(index)}/${task.id}.mp4`,
          dispatcher: downloads,
        });
      }),
    );
    const archived = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    return { archived, failed: outcomes.length - archived };
  });
  s3.destroy();
  await downloads.close();
  return measured;
}

export async function generate(client: RunwayML, promptText: string, pollIntervalMs: number): Promise<TaskRetrieveResponse> {
  const created = await client.textToVideo.create({ model: MODEL, promptText, ratio: RATIO, duration: DURATION });
  for (;;) {
    await sleep(pollIntervalMs);
    const task = await client.tasks.retrieve(created.id);
    if (TERMINAL.has(task.status)) return task;
  }
}
