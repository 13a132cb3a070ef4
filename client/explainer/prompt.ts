import { promptTextSchema } from '../../schemas';
import { InputError } from '../input-error';

/** The paragraph's cue, else the chunk's key words (its words if it has none); the brief's style always follows. */
export function visualPrompt(
  id: string,
  paragraph: number,
  cue: string | undefined,
  keywords: string[],
  text: string,
  style: string,
): string {
  const subject = cue ?? (keywords.length > 0 ? keywords.join(', ') : text);
  const prompt = `${/[.!?]$/.test(subject.trim()) ? subject.trim() : `${subject.trim()}.`} ${style}`;
  const checked = promptTextSchema.safeParse(prompt);
  if (!checked.success)
    throw new InputError(
      cue !== undefined ? `visuals.${paragraph}.promptText` : `chunk ${id}`,
      `its prompt is invalid: ${checked.error.issues[0]!.message}; shorten ${cue !== undefined ? 'the cue' : 'brief.style'}`,
    );
  return prompt;
}
