import { MAX_PROMPT_TEXT_LENGTH, type ShotParts } from '../../schemas';

/**
 * What a workload asks the prompt writer for: the same shot parts ([subject] [action] [setting], when),
 * composed in the workload's own words. A documentary shot ends in its era aesthetic and "documentary
 * footage quality"; an explainer's visual ends in the lesson's style. The language-model writer is told
 * the shape's instructions and answers parts, which the shape composes: every writer's prompt has the
 * same shape, and only the shape decides it.
 */
export interface PromptShape {
  readonly name: string;
  /** What a language model is asked to describe, in a sentence or two. */
  readonly instructions: string;
  /** The prompt from its parts and the workload's style, within Runway's promptText limit. */
  compose(parts: ShotParts, style: string): string;
}

/** "[subject] [action] [setting], [era aesthetic], documentary footage quality". */
export const documentaryShot: PromptShape = {
  name: 'documentary-shot',
  instructions:
    'Describe one documentary B-roll shot that illustrates the narration: who or what is seen (subject), what it is doing (action, a present participle phrase), and where (setting). Concrete and filmable: no narration, no camera jargon, no style words.',
  compose(parts, style) {
    const era = style.trim().replace(/[.,;\s]+$/, '');
    const ending = /documentary footage quality/i.test(era) ? era : `${era}, documentary footage quality`;
    return bounded(shotText(parts), ending);
  },
};

/** "[subject] [action] [setting], [style]": a lesson's visual in its reference image's style. */
export const explainerVisual: PromptShape = {
  name: 'explainer-visual',
  instructions:
    'Describe one short animated visual that explains the narration to a learner: the subject, what it does (a present participle phrase), and where. Concrete and simple: no text on screen, no narration, no style words.',
  compose(parts, style) {
    return bounded(shotText(parts), style.trim().replace(/[.,;\s]+$/, ''));
  },
};

/** "[Subject] [action] [setting] [when]" on one line. */
function shotText(parts: ShotParts): string {
  const when = parts.when ? lowerFirst(parts.when) : undefined;
  const shot = [parts.subject, parts.action, parts.setting, when].filter(Boolean).join(' ');
  return (parts.details ? `${shot}, ${parts.details}` : shot).replace(/\s+/g, ' ').trim();
}

/** The shot cut at a word to leave room for the ending, which is never cut (the style is the producer's). */
function bounded(shot: string, ending: string): string {
  const room = MAX_PROMPT_TEXT_LENGTH - ending.length - 2;
  if (shot.length <= room) return `${shot}, ${ending}`;
  const cut = shot.slice(0, Math.max(room, 0));
  const atWord = cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[\s,;:]+$/, '');
  return `${atWord}, ${ending}`.slice(0, MAX_PROMPT_TEXT_LENGTH);
}

/** "In 1890" → "in 1890"; a name ("Kettle Falls in 1941") keeps its capital. */
function lowerFirst(text: string): string {
  return /^(In|On|At|By|During|After|Before|Every|Each|Through|Around|From|Since|Until|The|A|An)\b/.test(text)
    ? text.charAt(0).toLowerCase() + text.slice(1)
    : text;
}
