import { z } from 'zod';
import { promptTextSchema } from './video-request';

/**
 * A prompt written from narration, and who wrote it: the shared prompt writer's output, recorded in every
 * workload's plan so a reader sees which prompts came from the language model, which from the
 * deterministic writer, and why a language-model prompt fell back.
 */

/** `nlp`: the deterministic writer (compromise); `llm`: a language model on an OpenAI-compatible endpoint. */
export const promptWriterNameSchema = z.enum(['nlp', 'llm']);

/** What a shot shows: "[subject] [action] [setting]", with when it happens. */
export const shotPartsSchema = z.object({
  subject: z.string().min(1).max(200),
  action: z.string().min(1).max(300),
  setting: z.string().min(1).max(300).optional(),
  when: z.string().min(1).max(120).optional(),
  /** What the producer asked to see that the narration does not say ("featuring lock gates"). */
  details: z.string().min(1).max(200).optional(),
});
export type ShotParts = z.infer<typeof shotPartsSchema>;

export const writtenPromptSchema = z.object({
  promptText: promptTextSchema,
  writer: promptWriterNameSchema,
  /** The language model's name, when it wrote the prompt. */
  model: z.string().optional(),
  /** The language model was asked and its answer was not used: why (the deterministic prompt is used). */
  fallback: z.object({ from: z.literal('llm'), reason: z.string() }).optional(),
  parts: shotPartsSchema,
});
export type WrittenPrompt = z.infer<typeof writtenPromptSchema>;
