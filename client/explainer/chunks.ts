import type { ModelId } from '../../schemas';
import { InputError } from '../input-error';
import { splitClauses, splitSentences, wordCount, type ScriptParagraph } from './script';

/**
 * The script's narration in chunks a narrator says in about the target length: cut at sentence or clause
 * boundaries, never across a paragraph, never longer than the model's longest clip.
 */

/** c01, c02, … (ids only need to be unique; they sort in order up to 99). */
export function chunkId(index: number): string {
  return `c${String(index + 1).padStart(2, '0')}`;
}

export function spoken(words: number, wordsPerSecond: number): number {
  return Math.round((words / wordsPerSecond) * 1000);
}

/** How far over the target chunk length a whole sentence may run before it is cut at its clauses. */
const SENTENCE_SLACK = 1.2;

/**
 * A paragraph's narration in chunks: whole sentences while they fit the target; a sentence more than a
 * little longer than the target is cut at its clauses. A chunk never crosses a paragraph (each paragraph may have its own
 * visual) and never runs past the longest clip: a clause that would is an error naming its sentence.
 */
export function chunkParagraph(
  paragraph: ScriptParagraph,
  pace: { wordsPerSecond: number; targetMs: number; maxMs: number },
  where: { model: ModelId; source: string },
): string[] {
  const units: Array<{ text: string; words: number }> = [];
  for (const sentence of splitSentences(paragraph.text)) {
    const words = wordCount(sentence);
    if (words === 0) {
      if (units.length > 0) units[units.length - 1]!.text += ` ${sentence}`;
      continue;
    }
    // "About" the target: a sentence a little over it stays whole rather than being cut mid-sentence.
    if (spoken(words, pace.wordsPerSecond) <= Math.min(pace.targetMs * SENTENCE_SLACK, pace.maxMs)) {
      units.push({ text: sentence, words });
      continue;
    }
    for (const clause of splitClauses(sentence)) {
      const clauseWords = wordCount(clause);
      const clauseMs = spoken(clauseWords, pace.wordsPerSecond);
      if (clauseMs > pace.maxMs) {
        const at = where.source === 'inline' ? '' : ` (line ${paragraph.line})`;
        throw new InputError(
          'script',
          `paragraph ${paragraph.paragraph}${at}: the sentence "${excerpt(sentence)}" is too long to speak within ${where.model}'s longest clip of ${pace.maxMs / 1000} s, even at a clause boundary: "${excerpt(clause)}" takes ${(clauseMs / 1000).toFixed(1)} s at ${pace.wordsPerSecond} words per second; split it into shorter sentences or clauses`,
        );
      }
      units.push({ text: clause, words: clauseWords });
    }
  }
  const chunks: string[] = [];
  let current: { texts: string[]; words: number } | undefined;
  for (const unit of units) {
    if (current && spoken(current.words + unit.words, pace.wordsPerSecond) > pace.targetMs) {
      chunks.push(current.texts.join(' '));
      current = undefined;
    }
    current = current
      ? { texts: [...current.texts, unit.text], words: current.words + unit.words }
      : { texts: [unit.text], words: unit.words };
  }
  if (current) chunks.push(current.texts.join(' '));
  return chunks;
}

function excerpt(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 77)}…`;
}
