import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import type { Moderation, ModerationMultiModalInput } from 'openai/resources/moderations';
import { FailureType } from '../schemas/failures';
import type { ModerationErrorPolicy, ModerationVerdict, Screening } from '../schemas/moderation';
import type { ContentModerator, ModerationSubject } from './moderation';

export interface OpenAiModeratorOptions {
  apiKey: string;
  /** An OpenAI-compatible endpoint (…/v1); OpenAI's own without. */
  baseURL?: string;
  model?: string;
  timeoutMs?: number;
  /** The client's own retries of 408/409/429/5xx and connection errors (it honours Retry-After). */
  maxRetries?: number;
}

/**
 * OpenAI's moderation endpoint through the official client: the prompt text with the first prompt image in
 * one request, each further image in its own (omni-moderation judges text and images; one image a request
 * is what every compatible endpoint takes). Flagged categories are the endpoint's own names.
 */
export class OpenAiModerator implements ContentModerator {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly model: string;

  constructor(options: OpenAiModeratorOptions) {
    this.model = options.model ?? 'omni-moderation-latest';
    this.name = `openai:${this.model}`;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      timeout: options.timeoutMs ?? 20_000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  async check(subject: ModerationSubject): Promise<ModerationVerdict> {
    const requests = moderationRequests(subject);
    if (requests.length === 0) return { moderator: this.name, allowed: true, checked: [], categories: [] };
    const answers = await Promise.all(requests.map((input) => this.client.moderations.create({ model: this.model, input })));
    const results = answers.flatMap((answer) => answer.results);
    if (results.length < requests.length)
      throw new Error(`the moderation endpoint answered ${results.length} results for ${requests.length} requests`);
    const categories = [...new Set(results.flatMap(flaggedCategories))].sort();
    const flagged = results.some((result) => result.flagged);
    return {
      moderator: this.name,
      allowed: !flagged,
      checked: [...(subject.promptText ? (['text'] as const) : []), ...(subject.promptImages?.length ? (['image'] as const) : [])],
      categories,
    };
  }
}

/** The text and the first image together, each further image alone. */
function moderationRequests(subject: ModerationSubject): ModerationMultiModalInput[][] {
  const images = (subject.promptImages ?? []).map((url): ModerationMultiModalInput => ({ type: 'image_url', image_url: { url } }));
  const first: ModerationMultiModalInput[] = [
    ...(subject.promptText ? [{ type: 'text' as const, text: subject.promptText }] : []),
    ...images.slice(0, 1),
  ];
  return [...(first.length > 0 ? [first] : []), ...images.slice(1).map((image) => [image])];
}

function flaggedCategories(result: Moderation): string[] {
  const categories = result.categories as unknown as Record<string, boolean | null>;
  const flagged = Object.entries(categories)
    .filter(([, value]) => value === true)
    .map(([name]) => name);
  // A result flagged without a category it names still refuses: say so rather than show nothing.
  return result.flagged && flagged.length === 0 ? ['unspecified'] : flagged;
}

/**
 * Ask every moderator in order and stop at the first refusal. A moderator that cannot answer fails the
 * screening under `closed` (a typed failure: nothing unchecked is sent) and is recorded as skipped under
 * `open`, the earlier moderators' verdicts standing.
 */
export async function screen(
  subject: ModerationSubject,
  moderators: readonly ContentModerator[],
  onProviderError: ModerationErrorPolicy,
): Promise<Screening> {
  const verdicts: ModerationVerdict[] = [];
  for (const moderator of moderators) {
    let verdict: ModerationVerdict;
    try {
      verdict = await moderator.check(subject);
    } catch (error) {
      const reason = describeProviderError(error);
      if (onProviderError === 'closed') throw moderationUnavailable(moderator.name, reason, error, verdicts);
      verdicts.push({ moderator: moderator.name, allowed: true, checked: [], categories: [], skipped: reason });
      continue;
    }
    verdicts.push(verdict);
    if (!verdict.allowed) return { allowed: false, verdicts };
  }
  return { allowed: true, verdicts };
}

/**
 * The provider could not answer under the `closed` policy. Retried by the activity's policy while the
 * cause may pass (a timeout, a 5xx, a 429); not when the endpoint refuses the key or the request.
 */
function moderationUnavailable(name: string, reason: string, error: unknown, verdicts: ModerationVerdict[]): ApplicationFailure {
  const status = error instanceof OpenAI.APIError ? error.status : undefined;
  const permanent = status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429;
  return ApplicationFailure.create({
    type: FailureType.ModerationUnavailable,
    nonRetryable: permanent,
    message: `the moderation provider ${name} could not check the prompt (${reason}); with MODERATION_ON_ERROR=closed nothing unchecked is submitted`,
    details: [{ moderator: name, ...(status !== undefined ? { status } : {}), verdicts }],
  });
}

/** A short, secret-free description: the endpoint's status and message, or the connection problem. */
function describeProviderError(error: unknown): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'timed out';
  if (error instanceof OpenAI.APIConnectionError) return 'could not connect';
  if (error instanceof OpenAI.APIError) return `${error.status ?? 'no status'}: ${firstLine(error.message)}`;
  return firstLine(error instanceof Error ? error.message : String(error));
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
