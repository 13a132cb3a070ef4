import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import { FailureType } from '../schemas/failures';
import type { ActivityDeps } from './deps';
import { withKeepAlive } from './keep-alive';

export interface PrescreenInput {
  generationId: string;
  promptText?: string;
}

export interface PrescreenResult {
  moderator: string;
  checked: boolean;
}

/** Refuses a prompt before any POST to Runway (Runway charges for moderated tasks). */
export function createPrescreen(deps: Pick<ActivityDeps, 'moderator'>) {
  return async function prescreenPrompt(input: PrescreenInput): Promise<PrescreenResult> {
    const promptText = input.promptText;
    if (promptText === undefined) return { moderator: deps.moderator.name, checked: false };
    // An external moderator may take a while; the keep-alive lets a crashed worker be noticed in seconds.
    const verdict = await withKeepAlive(() => deps.moderator.check(promptText));
    if (!verdict.allowed) {
      log.warn('prompt refused by pre-screen', {
        generationId: input.generationId,
        moderator: deps.moderator.name,
        matched: verdict.matched,
      });
      throw ApplicationFailure.create({
        type: FailureType.PromptRejected,
        message: `prompt refused before submission (${verdict.reason ?? 'blocked'})`,
        nonRetryable: true,
        details: [{ matched: verdict.matched ?? [] }],
      });
    }
    return { moderator: deps.moderator.name, checked: true };
  };
}
