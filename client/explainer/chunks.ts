import { spoken, wordCount, type ModelId } from '../../schemas';
import { InputError } from '../input-error';
import { cutChunks, type Boundary, type ChunkShape, type SpeechPiece } from './chunk-cuts';
import { splitClauses, splitSentences, type ScriptParagraph } from './script';

/**
 * The script's narration in chunks of about the target length: every sentence offers its end and its
 * clauses' ends as places to cut, and chunk-cuts chooses the cuts that keep the chunks within the band
 * (4–6 s for a 5 s target) wherever the script allows. A title is said with the sentence after it; a
 * chunk runs on into the next paragraph only when neither paragraph has a visual of its own; no chunk is
 * longer than the model's longest clip, and a clause that alone would be is an error naming its sentence.
 */

/** c01, c02, … (ids only need to be unique; they sort in order up to 99). */
export function chunkId(index: number): string {
  return `c${String(index + 1).padStart(2, '0')}`;
}

/** The band around the target a chunk should fall in: ±20 %, so 4–6 s for 5 s. */
const BAND = 0.2;

export interface ChunkPace {
  wordsPerSecond: number;
  targetMs: number;
  /** The model's longest clip. */
  maxMs: number;
}

export function chunkShape(pace: ChunkPace): ChunkShape {
  return {
    targetMs: pace.targetMs,
    minMs: Math.round(pace.targetMs * (1 - BAND)),
    maxMs: Math.min(Math.round(pace.targetMs * (1 + BAND)), pace.maxMs),
    longestMs: pace.maxMs,
  };
}

/** The chunks of the whole script, in order, each with the paragraph it starts in. */
export function chunkScript(
  paragraphs: readonly ScriptParagraph[],
  ownVisual: (paragraph: number) => boolean,
  pace: ChunkPace,
  where: { model: ModelId; source: string },
): Array<{ paragraph: number; text: string }> {
  const pieces: Array<SpeechPiece & { paragraph: number }> = [];
  paragraphs.forEach((paragraph, index) => {
    const next = paragraphs[index + 1];
    const paragraphEnd: Boundary = !next || ownVisual(paragraph.paragraph) || ownVisual(next.paragraph) ? 'end' : 'paragraph';
    const sentences = sayable(splitSentences(paragraph.text));
    sentences.forEach((sentence, sentenceIndex) => {
      const clauses = sayable(splitClauses(sentence));
      const isTitle = sentenceIndex === 0 && paragraph.title !== undefined && sentences.length > 1;
      clauses.forEach((clause, clauseIndex) => {
        const spokenMs = spoken(wordCount(clause), pace.wordsPerSecond);
        if (spokenMs > pace.maxMs) throw tooLong(paragraph, sentence, clause, spokenMs, pace, where);
        const lastOfSentence = clauseIndex === clauses.length - 1;
        const after: Boundary = !lastOfSentence
          ? isTitle
            ? 'join'
            : 'clause'
          : isTitle
            ? 'join'
            : sentenceIndex === sentences.length - 1
              ? paragraphEnd
              : 'sentence';
        pieces.push({ text: clause, spokenMs, after, paragraph: paragraph.paragraph });
      });
    });
  });
  return cutChunks(pieces, chunkShape(pace)).map((chunk) => ({
    paragraph: (chunk[0] as (typeof pieces)[number]).paragraph,
    text: chunk.map((piece) => piece.text).join(' '),
  }));
}

/** Pieces with words; one without (a lone dash or quote) stays with the piece before it. */
function sayable(pieces: string[]): string[] {
  const kept: string[] = [];
  for (const piece of pieces) {
    if (wordCount(piece) === 0 && kept.length > 0) kept[kept.length - 1] += ` ${piece}`;
    else kept.push(piece);
  }
  return kept;
}

function tooLong(
  paragraph: ScriptParagraph,
  sentence: string,
  clause: string,
  clauseMs: number,
  pace: ChunkPace,
  where: { model: ModelId; source: string },
): InputError {
  const at = where.source === 'inline' ? '' : ` (line ${paragraph.line})`;
  return new InputError(
    'script',
    `paragraph ${paragraph.paragraph}${at}: the sentence "${excerpt(sentence)}" is too long to speak within ${where.model}'s longest clip of ${pace.maxMs / 1000} s, even at a clause boundary: "${excerpt(clause)}" takes ${(clauseMs / 1000).toFixed(1)} s at ${pace.wordsPerSecond} words per second; split it into shorter sentences or clauses`,
  );
}

function excerpt(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 77)}…`;
}
