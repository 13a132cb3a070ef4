import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { MODEL_IDS, type GenerationResult, type VideoParams } from '../../schemas';
import type { VideoStartRequest } from '../generation-start';
import { checkVideoStart } from './input';
import { err, out, withClient } from './with-client';

/** Commander names the flags after the fields: --negative-prompt is negativePrompt. */
interface VideoFlags extends VideoParams {
  model: string;
  prompt?: string;
  image?: string;
  rehostImage?: boolean;
  id?: string;
  pollInterval?: string;
  wait?: boolean;
  json?: boolean;
}

export function registerVideoCommands(program: Command): void {
  const video = program.command('video').description('one video on its own, outside any campaign');

  video
    .command('start')
    .description('validate a request and start one video workflow')
    .requiredOption('-m, --model <model>', `one of ${MODEL_IDS.join(', ')}`)
    .option('-p, --prompt <text>', 'promptText')
    .option('-i, --image <pathOrUrl>', 'promptImage: a local file (staged in S3), an https URL or a data URI')
    .option('--rehost-image', 'upload an https --image to Runway once instead of letting Runway fetch the URL')
    .option('-r, --ratio <ratio>', 'e.g. 1280:720 or 16:9 (required unless the model takes none)')
    .option('-d, --duration <seconds>', 'clip length in seconds', wholeNumber)
    .option('--seed <n>', 'seed', wholeNumber)
    .option('--audio', 'generate audio (models that support it)')
    .option('--negative-prompt <text>', 'what should not appear (models that support it)')
    .option('--resolution <resolution>', 'output resolution, e.g. 720p (models that take one instead of a ratio)')
    .option('--id <videoId>', 'video id (default: a fresh one); the workflow id is single--<id>')
    .option('--poll-interval <duration>', 'how often to poll Runway, e.g. 8s')
    .option('-w, --wait', 'wait until the video is archived')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (flags: VideoFlags) => {
      const request: VideoStartRequest = {
        videoId: flags.id ?? `video-${randomUUID().slice(0, 8)}`,
        model: flags.model,
        ...(flags.ratio !== undefined ? { ratio: flags.ratio } : {}),
        ...(flags.audio !== undefined ? { audio: flags.audio } : {}),
        ...(flags.negativePrompt !== undefined ? { negativePrompt: flags.negativePrompt } : {}),
        ...(flags.resolution !== undefined ? { resolution: flags.resolution } : {}),
        ...(flags.prompt !== undefined ? { promptText: flags.prompt } : {}),
        ...(flags.image !== undefined ? { promptImage: flags.image } : {}),
        ...(flags.rehostImage ? { rehostImage: true } : {}),
        ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.pollInterval !== undefined ? { options: { pollInterval: flags.pollInterval } } : {}),
      };
      await checkVideoStart(request);
      await withClient(async (api) => {
        const handle = await api.generations.startVideo(request);
        const started = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
        if (!flags.wait) {
          if (flags.json) out(JSON.stringify(started));
          else out(`started video workflow ${started.workflowId} (run ${started.runId})`);
          return;
        }
        if (!flags.json) err(`video workflow ${started.workflowId} started; waiting…`);
        const result = await resultOrCause(api.generations.waitForResult(handle.workflowId), handle.workflowId);
        if (flags.json) out(JSON.stringify(videoResultJson(result)));
        else
          out(
            `✔ ${result.generationId}  s3://${result.s3.bucket}/${result.s3.key}  (${result.submissions} submission(s), ${result.credits} credits, task ${result.runwayTaskId})`,
          );
      });
    });
}

/** A failed video names its own failure ("ContentModeration: …"), not the SDK's "Workflow execution failed". */
async function resultOrCause(result: Promise<GenerationResult>, workflowId: string): Promise<GenerationResult> {
  try {
    return await result;
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause) {
      const cause = error.cause as Error & { type?: string };
      throw new Error(`video ${workflowId} failed: ${cause.type ?? cause.name}: ${cause.message}`);
    }
    throw error;
  }
}

export function videoResultJson(result: GenerationResult) {
  return {
    videoId: result.generationId,
    model: result.model,
    s3: { bucket: result.s3.bucket, key: result.s3.key, bytes: result.s3.bytes },
    sha256: result.s3.sha256,
    runwayTaskId: result.runwayTaskId,
    submissions: result.submissions,
    credits: result.credits,
    timings: result.timings,
  };
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}
