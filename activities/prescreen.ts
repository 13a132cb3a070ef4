import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import type { ImageRef } from '../schemas';
import { FailureType } from '../schemas/failures';
import type { Screening } from '../schemas/moderation';
import type { ActivityDeps } from './deps';
import { withKeepAlive } from './keep-alive';
import { screen } from './moderation-provider';

export interface PrescreenInput {
  generationId: string;
  promptText?: string;
  /** The images Runway would be sent: judged by the moderation provider, when there is one. */
  promptImages?: ImageRef[];
}

/** Staged images above this go to the provider by their source URL only (none for a staged file): OpenAI's own image limit. */
const MAX_MODERATED_IMAGE_BYTES = 20 * 1024 * 1024;

type PrescreenDeps = Pick<ActivityDeps, 'moderator' | 'moderationProvider' | 'moderationOnError' | 's3'>;

/**
 * Refuses a generation before any POST to Runway (Runway bills the tasks it moderates): the term list on
 * the prompt text, then the moderation provider, when configured, on the prompt text and every prompt
 * image. Every verdict, with its categories, is the result: the generation keeps it in its progress and
 * result, and a refusal's failure carries them.
 */
export function createPrescreen(deps: PrescreenDeps) {
  return async function prescreenPrompt(input: PrescreenInput): Promise<Screening> {
    const moderators = [deps.moderator, ...(deps.moderationProvider ? [deps.moderationProvider] : [])];
    // An external moderator may take a while; the keep-alive lets a crashed worker be noticed in seconds.
    const screening = await withKeepAlive(async () => {
      const promptImages = deps.moderationProvider ? await moderatedImages(deps, input.promptImages ?? []) : [];
      return screen({ promptText: input.promptText, promptImages }, moderators, deps.moderationOnError ?? 'closed');
    });
    if (!screening.allowed) {
      const refusal = screening.verdicts.find((verdict) => !verdict.allowed)!;
      log.warn('prompt refused by pre-screen', {
        generationId: input.generationId,
        moderator: refusal.moderator,
        categories: refusal.categories,
      });
      throw ApplicationFailure.create({
        type: FailureType.PromptRejected,
        message: `refused before submission by ${refusal.moderator} (${refusal.moderator === 'term-list' ? 'blocked terms' : 'flagged'}: ${refusal.categories.join(', ')} in the ${refusal.checked.join(' and ')})`,
        nonRetryable: true,
        details: [{ matched: refusal.categories, verdicts: screening.verdicts }],
      });
    }
    return screening;
  };
}

/** What the provider is shown of each image: its https URL, or a staged image's bytes as a data URI. */
async function moderatedImages(deps: Pick<ActivityDeps, 's3'>, images: ImageRef[]): Promise<string[]> {
  const shown: string[] = [];
  for (const image of images) {
    const source = image.kind === 'runway-upload' ? image.source : image;
    if (source.kind === 'url') shown.push(source.url);
    else if (source.bytes <= MAX_MODERATED_IMAGE_BYTES) {
      const object = await deps.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }));
      const bytes = await object.Body!.transformToByteArray();
      shown.push(`data:${source.contentType};base64,${Buffer.from(bytes).toString('base64')}`);
    } else {
      throw ApplicationFailure.create({
        type: FailureType.PromptImageUnavailable,
        nonRetryable: true,
        message: `staged image is ${source.bytes} bytes; the moderation provider is shown at most ${MAX_MODERATED_IMAGE_BYTES}`,
      });
    }
  }
  return shown;
}
