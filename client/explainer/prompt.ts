import { promptTextSchema } from '../../schemas';
import { InputError } from '../input-error';

/**
 * A paragraph's own visual cue as a chunk's prompt: the cue, then the brief's style. Chunks without a cue
 * get theirs from the shared prompt writer (client/prompts), which reads the narration.
 */
export function visualPrompt(id: string, paragraph: number, cue: string, style: string): string {
  const prompt = `${/[.!?]$/.test(cue.trim()) ? cue.trim() : `${cue.trim()}.`} ${style}`;
  const checked = promptTextSchema.safeParse(prompt);
  if (!checked.success)
    throw new InputError(
      `visuals.${paragraph}.promptText`,
      `its prompt is invalid: ${checked.error.issues[0]!.message}; shorten the cue (chunk ${id})`,
    );
  return prompt;
}
