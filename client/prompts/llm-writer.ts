import nlp from 'compromise';
import OpenAI from 'openai';
import { z } from 'zod';
import { shotPartsSchema, type ShotParts, type WrittenPrompt } from '../../schemas';
import { withKeywords } from './narration';
import { writeDeterministic } from './nlp-writer';
import type { PromptRequest, PromptWriter } from './prompt-writer';

export interface LlmWriterOptions {
  /** An OpenAI-compatible endpoint's base URL, e.g. https://api.openai.com/v1. */
  baseURL: string;
  model: string;
  /** Some local servers take none; the official client needs a string, so a placeholder is sent. */
  apiKey?: string;
  timeoutMs?: number;
  maxRetries?: number;
  /** Prompts asked at once. */
  concurrency?: number;
}

/** The answer a model must give: the shot's parts as JSON, each bounded (the shape adds the style). */
const answerSchema = z
  .object({
    subject: shotPartsSchema.shape.subject,
    action: shotPartsSchema.shape.action,
    setting: z.string().max(300).optional(),
    when: z.string().max(120).optional(),
  })
  .strip();

/**
 * A language model writes each unit's shot parts; the shape composes them, so its prompts have the same
 * shape and length bound as the deterministic writer's. Every answer is checked (JSON, the schema's
 * fields and lengths, a noun in the subject and a verb in the action, as compromise reads them); a
 * refusal, a timeout, an error status or a bad answer falls back to the deterministic prompt for that unit
 * and the result says why. The key is sent only to the endpoint and never appears in a result or error.
 */
export class LlmPromptWriter implements PromptWriter {
  private readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(private readonly options: LlmWriterOptions) {
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? 'not-needed',
      timeout: this.timeoutMs,
      maxRetries: options.maxRetries ?? 1,
    });
  }

  async write(request: PromptRequest): Promise<WrittenPrompt[]> {
    const drafts = writeDeterministic(request);
    const results: WrittenPrompt[] = new Array<WrittenPrompt>(drafts.length);
    let next = 0;
    const worker = async () => {
      while (next < drafts.length) {
        const index = next++;
        const draft = drafts[index]!;
        const startedAt = Date.now();
        try {
          const parts = await this.ask(request, index, draft.parts);
          results[index] = { promptText: request.shape.compose(parts, request.style), writer: 'llm', model: this.options.model, parts };
        } catch (error) {
          const timedOut = error instanceof OpenAI.APIConnectionError && Date.now() - startedAt >= this.timeoutMs;
          results[index] = { ...draft, fallback: { from: 'llm', reason: timedOut ? TIMED_OUT : reasonOf(error) } };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 3, drafts.length) }, worker));
    return results;
  }

  private async ask(request: PromptRequest, index: number, draft: ShotParts): Promise<ShotParts> {
    const unit = request.units[index]!;
    const completion = await this.client.chat.completions.create({
      model: this.options.model,
      temperature: 0.2,
      response_format: { type: 'json_object' },
      messages: [
        {
          role: 'system',
          content: `${request.shape.instructions} Answer only a JSON object {"subject": string, "action": string, "setting": string, "when": string}; subject at most 200 characters, action and setting at most 300, when (time of day, season or period, if the narration says) at most 120.`,
        },
        {
          role: 'user',
          content: JSON.stringify({
            narration: unit.text,
            before: request.units[index - 1]?.text,
            after: request.units[index + 1]?.text,
            keywords: unit.keywords ?? [],
            draft,
          }),
        },
      ],
    });
    const choice = completion.choices?.[0];
    if (!choice) throw new AnswerError('the answer has no choices');
    if (choice.message.refusal) throw new AnswerError(`the model refused: ${choice.message.refusal.slice(0, 200)}`);
    if (choice.finish_reason === 'length') throw new AnswerError('the answer was cut at the token limit');
    const content = choice.message.content ?? '';
    let raw: unknown;
    try {
      raw = JSON.parse(content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, ''));
    } catch {
      throw new AnswerError(`the answer is not JSON: ${JSON.stringify(content.slice(0, 80))}`);
    }
    const parsed = answerSchema.safeParse(raw);
    if (!parsed.success)
      throw new AnswerError(
        `the answer failed validation: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    const parts = parsed.data;
    if (!nlp(parts.subject).has('(#Noun|#Pronoun)')) throw new AnswerError(`the answer's subject has no noun: "${parts.subject}"`);
    if (!nlp(parts.action).has('#Verb')) throw new AnswerError(`the answer's action has no verb: "${parts.action}"`);
    const setting = parts.setting?.trim();
    const when = parts.when?.trim();
    const answer: ShotParts = {
      subject: parts.subject.trim(),
      action: parts.action.trim(),
      ...(setting ? { setting } : {}),
      ...(when ? { when } : {}),
    };
    return withKeywords(answer, unit.keywords);
  }
}

class AnswerError extends Error {}

const TIMED_OUT = 'the endpoint did not answer in time';

/** Why a unit fell back, in words for the plan: no key, no URL query string, no stack. */
function reasonOf(error: unknown): string {
  if (error instanceof AnswerError) return error.message;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return TIMED_OUT;
  if (error instanceof OpenAI.APIConnectionError) return 'the endpoint could not be reached';
  if (error instanceof OpenAI.APIError)
    return `the endpoint answered ${error.status ?? 'an error'}${error.status === 401 ? ' (check PROMPT_LLM_API_KEY)' : ''}`;
  if (error instanceof SyntaxError) return 'the answer is not JSON';
  return `the request failed: ${error instanceof Error ? error.name : 'unknown error'}`;
}
