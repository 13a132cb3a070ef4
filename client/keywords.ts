/**
 * Keywords per segment, picked before any spend: what a segment is about, as opposed to what the whole
 * programme is about. The default is tf-idf over the transcript's own segments — deterministic, offline,
 * and good enough to fill a prompt template; a team with a better extractor (an LLM, a domain glossary)
 * plugs it in through `KeywordExtractor`.
 */
export interface KeywordExtractor {
  /** One keyword list per segment, in the segments' order; the whole transcript is given for context. */
  extract(segments: readonly string[]): string[][] | Promise<string[][]>;
}

/** Function words and narration fillers that never say what a shot should show. */
const STOP_WORDS = new Set(
  (
    'a about above after again against all almost also although always am among an and another any are around as at be became because become ' +
    'been before being below between both but by can could did do does doing down during each either else enough even ever every few for ' +
    'from further had has have having he her here hers herself him himself his how however i if in into is it its itself just least less ' +
    'like many may me might more most much must my myself near neither never no nor not now of off often on once one only or other ' +
    'others our ours ourselves out over own perhaps quite rather same several shall she should since so some still such than that the ' +
    'their theirs them themselves then there these they this those though through thus to too toward towards under until up upon us ' +
    'very was we were what whatever when where whether which while who whom whose why will with within without would yet you your ' +
    'yours yourself yourselves ' +
    // narration fillers
    'says said say tell told called came come went go goes going get got made make makes way ways thing things something nothing ' +
    'everything anything first last next new old back today yesterday tomorrow day days year years time times people ' +
    'two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty sixty seventy eighty ninety hundred thousand ' +
    'million around across along behind beyond past away half still each later soon already again began begin'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

interface Token {
  /** Lowercased, possessive dropped: what is counted. */
  term: string;
  /** As written. */
  surface: string;
  /** Whether it starts a sentence (a capital there says nothing about a proper noun). */
  sentenceStart: boolean;
}

function tokens(text: string): Token[] {
  const found: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const surface = match[0].replace(/['’]s$/i, '').replace(/['’-]+$/, '');
    const before = text.slice(0, match.index).trimEnd();
    found.push({ term: surface.toLowerCase(), surface, sentenceStart: before === '' || /[.!?:;"“”]$/.test(before) });
  }
  return found;
}

/** A term is worth a keyword if it is a content word: not a stop word, not a bare number (years are kept). */
function isContentTerm(term: string): boolean {
  if (STOP_WORDS.has(term)) return false;
  if (/^\d+$/.test(term)) return /^1\d{3}$|^20\d{2}$/.test(term);
  return term.length >= 3;
}

/** tf-idf over the transcript's segments, `count` keywords per segment. */
export class TfIdfKeywordExtractor implements KeywordExtractor {
  constructor(private readonly count = 5) {}

  extract(segments: readonly string[]): string[][] {
    const perSegment = segments.map((text) => tokens(text).filter((token) => isContentTerm(token.term)));
    const documentFrequency = new Map<string, number>();
    for (const segmentTokens of perSegment)
      for (const term of new Set(segmentTokens.map((token) => token.term)))
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    const properNouns = properNounForms(perSegment.flat());
    const total = segments.length;
    return perSegment.map((segmentTokens) => {
      const frequency = new Map<string, { count: number; firstIndex: number }>();
      segmentTokens.forEach((token, index) => {
        const seen = frequency.get(token.term);
        if (seen) seen.count += 1;
        else frequency.set(token.term, { count: 1, firstIndex: index });
      });
      const scored = [...frequency.entries()].map(([term, { count, firstIndex }]) => ({
        term,
        firstIndex,
        // Smoothed idf: a term in every segment still counts a little, a rare one much more.
        score: (count / Math.max(segmentTokens.length, 1)) * (Math.log((1 + total) / (1 + documentFrequency.get(term)!)) + 1),
      }));
      // Ties go to the longer (usually more specific) word, then the earlier one: the same transcript always
      // gives the same keywords. They are listed in the order they are spoken, so a prompt reads naturally.
      scored.sort((a, b) => b.score - a.score || b.term.length - a.term.length || a.firstIndex - b.firstIndex);
      return scored
        .slice(0, this.count)
        .sort((a, b) => a.firstIndex - b.firstIndex)
        .map(({ term }) => properNouns.get(term) ?? term);
    });
  }
}

/** Terms written with a capital inside a sentence (and never in lower case) are names: keep their capital. */
function properNounForms(all: Token[]): Map<string, string> {
  const forms = new Map<string, string>();
  const lowercase = new Set(all.filter((token) => token.surface === token.term).map((token) => token.term));
  for (const token of all) {
    if (token.sentenceStart || lowercase.has(token.term) || token.surface === token.term) continue;
    if (!forms.has(token.term)) forms.set(token.term, token.surface);
  }
  return forms;
}
