import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve as resolvePath } from 'node:path';
import { InputError } from '../input-error';
import { wordCount } from '../../schemas';

/**
 * A lesson script reduced to what the narrator says: paragraphs of plain sentences. Markdown is read for
 * its words only — headings, emphasis, lists, links and quotes become their text; images, HTML and link
 * definitions are dropped. A fenced code block is refused rather than dropped: it cannot be spoken, and
 * silently leaving it out would narrate a lesson that no longer matches what its author wrote.
 * A .txt script is taken as plain text, one paragraph per run of non-blank lines.
 */
export interface ScriptParagraph {
  /** 1-based, the number `visuals` keys refer to. */
  paragraph: number;
  /** 1-based line of the paragraph's first line in the script. */
  line: number;
  /** The narration on one line. */
  text: string;
  /** The heading said as the paragraph's opening sentence, when it has one: chunking keeps it with what follows. */
  title?: string;
}

export type ScriptFormat = 'markdown' | 'text';

export interface Script {
  /** Where it came from: the resolved path, or "inline". */
  source: string;
  format: ScriptFormat;
  paragraphs: ScriptParagraph[];
}

/** The explainer file's `script`: inline Markdown, or a .md/.txt file relative to the explainer file. */
export async function readScript(script: string | { path: string }, baseDir: string): Promise<Script> {
  if (typeof script === 'string')
    return { source: 'inline', format: 'markdown', paragraphs: parseScript(script, 'markdown', 'the script') };
  const extension = extname(script.path).toLowerCase();
  if (!['.md', '.markdown', '.txt'].includes(extension))
    throw new InputError('script.path', `${script.path} must be a Markdown (.md) or plain-text (.txt) file`);
  const path = resolvePath(baseDir, script.path);
  let text: string;
  try {
    if (!(await stat(path)).isFile()) throw new InputError('script.path', `${script.path} is not a file`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('script.path', `script file not found: ${script.path} (looked for ${path})`);
  }
  const format: ScriptFormat = extension === '.txt' ? 'text' : 'markdown';
  return { source: path, format, paragraphs: parseScript(text, format, basename(path)) };
}

/** Paragraphs of narration; `name` says where a refused line is (the file's name, or "the script"). */
export function parseScript(text: string, format: ScriptFormat, name: string): ScriptParagraph[] {
  // Comments go first, keeping their line breaks so every later line number is still the file's.
  const source = text.replace(/^\uFEFF/, '');
  const lines = (format === 'markdown' ? source.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, '')) : source).split(
    /\r\n|\r|\n/,
  );
  // `titleParts`: how many of a block's first parts are its heading.
  const blocks: Array<{ line: number; parts: string[]; titleParts?: number }> = [];
  let current: { line: number; parts: string[]; titleParts?: number } | undefined;
  // A heading is said as the opening sentence of the paragraph under it, so it never makes a chunk of its
  // own and paragraph numbers (what `visuals` keys name) count the script's body paragraphs.
  let heading: { line: number; parts: string[]; titleParts?: number } | undefined;
  const end = () => {
    if (current) blocks.push(current);
    current = undefined;
  };
  const add = (line: number, part: string) => {
    if (!current) {
      current = heading ?? { line, parts: [] };
      heading = undefined;
    }
    current.parts.push(part);
  };
  const endAsHeading = () => {
    heading = current && { ...current, titleParts: current.parts.length };
    current = undefined;
  };
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return end();
    if (format === 'text') return add(line, raw.trim());
    if (/^\s{0,3}(```|~~~)/.test(raw))
      throw new InputError('script', `${name} line ${line}: a code block cannot be narrated; remove it, or say in words what it shows`);
    const quoted = raw.replace(/^(\s{0,3}>\s?)+/, '');
    const title = /^\s{0,3}#{1,6}\s+(.*?)(\s+#+)?\s*$/.exec(quoted);
    if (title) {
      end();
      add(line, sentence(title[1]!));
      return endAsHeading();
    }
    // A setext underline makes the block above it a heading; a rule only separates paragraphs.
    if (current && /^\s{0,3}(=+|-+)\s*$/.test(quoted)) {
      current.parts.push(sentence(current.parts.pop()!));
      return endAsHeading();
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(quoted)) return end();
    if (/^\s{0,3}\[[^\]]+\]:\s*\S+/.test(quoted)) return;
    const item = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(.*)$/.exec(quoted);
    if (item) return add(line, sentence(item[1]!));
    add(line, quoted.trim());
  });
  end();
  if (heading) blocks.push(heading);
  const paragraphs: ScriptParagraph[] = [];
  const said = (parts: string[]) => (format === 'markdown' ? inlineText(parts.join(' ')) : parts.join(' ')).replace(/\s+/g, ' ').trim();
  for (const block of blocks) {
    const narration = said(block.parts);
    if (wordCount(narration) === 0) continue;
    // A heading with nothing under it is a paragraph of its own, not a title.
    const title =
      block.titleParts !== undefined && block.titleParts < block.parts.length ? said(block.parts.slice(0, block.titleParts)) : '';
    paragraphs.push({ paragraph: paragraphs.length + 1, line: block.line, text: narration, ...(wordCount(title) > 0 ? { title } : {}) });
  }
  return paragraphs;
}

/** A heading or list item is said as a sentence of its own: it gets a full stop if it has no end mark. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' || /[.!?…:;]["'”’)\]*_`]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** Inline Markdown to its words. */
function inlineText(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/!\[[^\]]*\]\[[^\]]*\]/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<(https?|mailto):[^>]*>/gi, '')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/(`+)(.+?)\1/g, '$2')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/\*(?=\S)([^*]+?)(?<=\S)\*/g, '$1')
    .replace(/(^|[^\p{L}\p{N}])_(?=\S)([^_]+?)(?<=\S)_(?![\p{L}\p{N}])/gu, '$1$2')
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, '$1')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
}

/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'vs', 'approx', 'fig', 'no', 'cf', 'ca']);

/** A paragraph's sentences: cut after . ! ? … (and any closing quote) where the next word does not go on in lower case. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of text.matchAll(/[.!?…]+["'”’)\]]*(?=\s+|$)/g)) {
    const endIndex = match.index + match[0].length;
    const next = text.slice(endIndex).trimStart();
    if (next !== '' && /^\p{Ll}/u.test(next)) continue;
    const before = /(\S+)$/.exec(text.slice(start, match.index))?.[1] ?? '';
    if (match[0].startsWith('.') && !match[0].startsWith('..') && (ABBREVIATIONS.has(before.toLowerCase()) || /^\p{Lu}$/u.test(before)))
      continue;
    const piece = text.slice(start, endIndex).trim();
    if (piece !== '') sentences.push(piece);
    start = endIndex;
  }
  const rest = text.slice(start).trim();
  if (rest !== '') sentences.push(rest);
  return sentences;
}

/** A sentence's clauses: cut after , ; : and dashes, where a narrator can pause. */
export function splitClauses(sentence: string): string[] {
  const clauses: string[] = [];
  for (const piece of sentence.split(/(?<=[,;:])\s+|(?<=[—–])\s*|(?<=\s-)\s+/)) {
    const clause = piece.trim();
    if (clause === '') continue;
    // A lone dash or quote is not a clause: it stays with the words before it.
    if (wordCount(clause) === 0 && clauses.length > 0) clauses[clauses.length - 1] += ` ${clause}`;
    else clauses.push(clause);
  }
  return clauses;
}
