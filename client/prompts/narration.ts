import nlp from 'compromise';
import type { ShotParts } from '../../schemas';

/**
 * Narration read as a shot: compromise tags every word (nouns, verbs, places, dates) and chunks it into
 * noun and verb phrases; from those, each sentence's frames (a subject, a verb phrase, what follows it) are
 * scored for what a camera can film — an actor doing something somewhere beats a copula, a time phrase or a
 * negation — and the best frame becomes "[subject] [action] [setting]" in the present participle, the
 * tense a shot description reads in. Pronouns take the last noun phrase they can stand for (across
 * segments, as a narrator's "it" does), and a year read earlier keeps the era of the segments after it.
 */

interface Term {
  text: string;
  normal: string;
  tags: Set<string>;
  chunk: string;
  /** Punctuation after the word (", " or ". "). */
  post: string;
}

/** A run of words that acts as one noun phrase. */
interface Phrase {
  start: number;
  end: number; // exclusive
  text: string;
}

type FrameKind = 'finite' | 'passive' | 'participle' | 'copula';

interface Frame {
  kind: FrameKind;
  subject?: Phrase;
  /** The verb phrase as a shot says it: "tearing away", "being lowered". */
  verb: string;
  /** Object, manner and instrument words after the verb ("half the breakwater", "by hand"). */
  object: string;
  /** Locative phrases: where it happens. */
  settings: string[];
  /** Time phrases: when it happens ("at dawn", "in the winter of 1927"). */
  times: string[];
  negative: boolean;
  terms: Term[];
}

/** One unit of narration (a B-roll segment, an explainer chunk) and the producer's keywords for it. */
export interface NarrationUnit {
  text: string;
  keywords?: readonly string[];
}

const LOCATIVE = new Set(
  'in on at over past along across into onto through beside near under above below around from outside inside behind toward towards beneath between among against off out up down within throughout upon by'.split(
    ' ',
  ),
);
/** Prepositions that place a thing relative to the place just named. */
const POSITION = new Set('above below beside near behind under over beneath by on'.split(' '));
/** Words that make a noun phrase a time, not a thing to film. */
const TIME_WORDS = new Set(
  'dawn dusk sunrise sunset morning mornings evening evenings night nights noon midnight afternoon day days week weeks month months year years decade decades century winter summer spring autumn fall season seasons time times today tonight yesterday moment hour hours minute minutes war wartime era age period'.split(
    ' ',
  ),
);
/** Adverbs that say when or how sure, not what is seen. */
const DROPPED_ADVERBS = new Set(
  'still then also finally already just even again once ever soon now today later often always nearly almost really only never eventually suddenly first'.split(
    ' ',
  ),
);
const PRONOUNS: Record<string, 'thing' | 'plural' | 'person'> = {
  it: 'thing',
  they: 'plural',
  them: 'plural',
  he: 'person',
  she: 'person',
  him: 'person',
  her: 'person',
};
const SUBORDINATORS = new Set([
  'where',
  'when',
  'while',
  'as',
  'because',
  'although',
  'though',
  'until',
  'which',
  'who',
  'that',
  'and',
  'but',
  'so',
  'or',
]);

export class NarrationReader {
  /** The last noun phrase read of each kind: what a later "it", "they" or "she" stands for. */
  private readonly antecedents: Partial<Record<'thing' | 'plural' | 'person', string>> = {};
  /** The decade of the last year the narration named. */
  private era: string | undefined;

  /** Reads units in order (pronouns and era carry from one to the next). */
  read(unit: NarrationUnit): ShotParts {
    const sentences = nlp(unit.text).json() as Array<{ terms: RawTerm[] }>;
    const frames = sentences.flatMap((sentence) => this.frames(sentence.terms.map(toTerm)));
    const year = /\b(1[0-9]{3}|20[0-9]{2})s?\b/.exec(unit.text)?.[1];
    if (year) this.era = `${year.slice(0, 3)}0s`;
    const keywords = (unit.keywords ?? []).map((keyword) => keyword.toLowerCase());
    const best = pickFrame(frames, keywords);
    const sameSubject = frames.filter((frame) => best && frame !== best && frame.subject?.text === best.subject?.text);
    const borrowed = sameSubject.flatMap((frame) => frame.settings).at(-1);
    const allTimes = frames.flatMap((frame) => frame.times);
    const places = (nlp(unit.text).places().out('array') as string[]).map((place) => place.replace(/[.,;:!?]+$/, ''));
    if (!best)
      return this.withoutFrame(
        unit,
        frames.flatMap((frame) => frame.settings),
        places,
      );
    const subject = best.subject!.text;
    const action = clean([best.verb, best.object].join(' '));
    const setting =
      best.settings[0] ??
      (borrowed && !action.includes(borrowed) ? borrowed : undefined) ??
      (places[0] && !action.includes(places[0]) ? `in ${places[0]}` : undefined);
    // A time a shot can show: "at dawn", "each night", "in the winter of 1927" (not a bare "the day").
    const firstTime = [...best.times, ...allTimes].find((time) =>
      /^(\d{4}s?$|(in|on|at|by|during|after|before|through|every|each|one|that)\b)/i.test(time),
    );
    // A bare year reads as a date in a shot: "in 1941".
    const when = firstTime && /^\d{4}s?$/.test(firstTime) ? `in ${firstTime}` : firstTime;
    const parts: ShotParts = { subject: capitalize(subject), action };
    const extraSettings = best.settings.slice(1).filter((text) => !action.includes(text));
    const settingText = clean([setting, ...extraSettings].filter(Boolean).join(' '));
    if (settingText && !action.endsWith(settingText)) parts.setting = settingText;
    const era = when ?? (year ? undefined : this.era ? `in the ${this.era}` : undefined);
    if (era && !`${action} ${settingText}`.includes(era)) parts.when = era;
    return withKeywords(parts, unit.keywords);
  }

  /** No frame to film (a list, a fragment): the most concrete noun phrase, shown where the narration puts it. */
  private withoutFrame(unit: NarrationUnit, settings: string[], places: string[]): ShotParts {
    const nouns = (nlp(unit.text).nouns().out('array') as string[])
      .map((noun) => noun.replace(/[.,;:!?]+$/, ''))
      .filter((noun) => !TIME_WORDS.has(lastWord(noun)) && !/^(it|they|them|he|she|we|you|i)$/i.test(noun));
    const subject = nouns.sort((a, b) => b.split(' ').length - a.split(' ').length)[0] ?? unit.keywords?.[0] ?? 'The scene';
    const setting = settings[0] ?? (places[0] ? `in ${places[0]}` : undefined);
    return withKeywords(
      {
        subject: capitalize(subject),
        action: 'seen in a slow pan',
        ...(setting ? { setting } : {}),
        ...(this.era ? { when: `in the ${this.era}` } : {}),
      },
      unit.keywords,
    );
  }

  /** The frames of one sentence: each verb group with its subject and what follows it. */
  private frames(terms: Term[]): Frame[] {
    const groups = verbGroups(terms);
    const frames: Frame[] = [];
    groups.forEach((group, index) => {
      const nextStart = groups[index + 1]?.start ?? terms.length;
      const previousEnd = groups[index - 1]?.end ?? 0;
      const groupTerms = terms.slice(group.start, group.end);
      // "gutted and salted": coordinated verbs share the subject and the object after the last one.
      const heads = groupTerms.filter(
        (term, position) =>
          term.tags.has('Verb') &&
          !term.tags.has('Auxiliary') &&
          (position === groupTerms.length - 1 || !groupTerms[position + 1]!.tags.has('Verb') || groupTerms[position + 1]!.normal === 'and'),
      );
      const head = heads.at(-1) ?? groupTerms.at(-1)!;
      const negative = groupTerms.some((term) => term.normal === 'not' || term.normal === 'never' || term.tags.has('Negative'));
      const kind: FrameKind = head.tags.has('Passive')
        ? 'passive'
        : head.tags.has('Copula') || /^(become|became|becomes|seem|seemed|remain|remained)$/.test(head.normal)
          ? 'copula'
          : head.tags.has('Gerund') && groupTerms.every((term) => !term.tags.has('Auxiliary'))
            ? 'participle'
            : 'finite';
      let subject = subjectBefore(terms, nounPhrases(terms, previousEnd, group.start));
      if (subject) subject = this.resolve(subject, terms);
      // "…was a fishing village, clinging to a harbour": the participle's subject is what the copula named.
      const previous = frames.at(-1);
      if (!subject && kind === 'participle' && previous)
        subject = previous.kind === 'copula' && previous.object ? { start: -1, end: -1, text: previous.object } : previous.subject;
      // A verb that ends its clause ("the fleet shrank, and…") has nothing after it.
      const tail = /[,;.!?]/.test(groupTerms.at(-1)!.post)
        ? { start: group.end, end: group.end }
        : boundedTail(terms, group.end, nextStart);
      const { object, settings, times } = this.splitTail(terms, tail.start, tail.end, kind === 'passive');
      // "In the winter of 1927 a gale tore…": a time phrase before the subject belongs to the frame too.
      const leading = leadingTimes(terms, previousEnd, subject && subject.start >= 0 ? subject.start : group.start);
      const particles = groupTerms
        .slice(groupTerms.indexOf(head) + 1)
        .filter((term) => !DROPPED_ADVERBS.has(term.normal) && term.normal !== 'not')
        .map((term) => term.text);
      const manner = groupTerms
        .slice(0, groupTerms.indexOf(heads[0] ?? head))
        .filter((term) => term.tags.has('Adverb') && /ly$/.test(term.normal) && !DROPPED_ADVERBS.has(term.normal))
        .map((term) => term.text);
      const verbs = (heads.length > 0 ? heads : [head]).map((term) => shotVerb(term, kind)).join(' and ');
      const verb = clean([...manner, verbs, ...particles].join(' '));
      const frame: Frame = { kind, verb, object, settings, times: [...leading, ...times], negative, terms: groupTerms };
      if (subject) frame.subject = subject;
      frames.push(frame);
      // The last thing named is what a later "it" most likely means: the subject, then the object.
      if (subject && subject.start >= 0) this.note(subject.text, terms, subject);
      this.remember(terms, tail.start, tail.end);
    });
    return frames;
  }

  /** Object words, locative phrases and time phrases of the words after a verb. */
  private splitTail(terms: Term[], start: number, end: number, passive = false): { object: string; settings: string[]; times: string[] } {
    const object: string[] = [];
    const settings: string[] = [];
    const times: string[] = [];
    let lastWasSetting = false;
    let index = start;
    while (index < end) {
      const term = terms[index]!;
      if (term.tags.has('Preposition') && term.normal !== 'of' && term.normal !== 'to') {
        const phraseEnd = prepositionalEnd(terms, index + 1, end);
        // A preposition whose noun phrase is not here ("…with" before a cut) says nothing.
        if (phraseEnd === index + 1) {
          index += 1;
          continue;
        }
        const words = terms.slice(index, phraseEnd);
        const text = clean(joinWords(words, (word) => this.resolvedWord(word)));
        const phrase: Phrase = { start: index + 1, end: phraseEnd, text };
        if (isTime(terms, phrase)) times.push(text);
        else if (LOCATIVE.has(term.normal) && !(term.normal === 'by' && (passive || /^by (hand|foot|night|day)/.test(text)))) {
          // "from the quarry above the cliffs": a position right after a place says where that place is.
          if (settings.length > 0 && POSITION.has(term.normal) && lastWasSetting) settings[settings.length - 1] += ` ${text}`;
          else settings.push(text);
          lastWasSetting = true;
          index = Math.max(phraseEnd, index + 1);
          continue;
        } else object.push(text);
        lastWasSetting = false;
        index = Math.max(phraseEnd, index + 1);
        continue;
      }
      lastWasSetting = false;
      if (term.tags.has('Date') || (term.tags.has('Value') && term.tags.has('Year'))) {
        // "day and night": a time and the words that join it to another are not what is seen.
        index += 1;
        while (index < end && (terms[index]!.normal === 'and' || TIME_WORDS.has(terms[index]!.normal))) index += 1;
        continue;
      }
      if (!(term.tags.has('Adverb') && DROPPED_ADVERBS.has(term.normal))) object.push(joinWords([term], (word) => this.resolvedWord(word)));
      index += 1;
    }
    const objectText = clean(object.join(' ')).replace(/\s+(to|and|or|but)$/i, '');
    // A noun phrase that is only a time ("each night") is a time, not an object.
    const timeOnly = /^(each|every|that|this|one|the|a) (morning|night|evening|day|dawn|winter|summer|spring|autumn|week|year)$/i;
    if (timeOnly.test(objectText)) return { object: '', settings, times: [objectText, ...times] };
    return { object: objectText, settings, times };
  }

  /** A pronoun subject as the noun phrase it stands for. */
  private resolve(phrase: Phrase, terms: Term[]): Phrase {
    const kind = phrase.end - phrase.start === 1 ? PRONOUNS[terms[phrase.start]!.normal] : undefined;
    if (!kind) return phrase;
    const antecedent = this.antecedents[kind];
    return antecedent ? { ...phrase, text: antecedent } : phrase;
  }

  private resolvedWord(term: Term): string {
    const kind = PRONOUNS[term.normal];
    if (kind === 'thing' || (kind === 'plural' && term.normal === 'them')) return this.antecedents[kind] ?? term.text;
    return term.text;
  }

  /** Objects and places read after a verb become what later pronouns stand for. */
  private remember(terms: Term[], start: number, end: number): void {
    for (const phrase of nounPhrases(terms, start, end)) if (!isTime(terms, phrase)) this.note(phrase.text, terms, phrase);
  }

  private note(text: string, terms: Term[], phrase: Phrase): void {
    const words = terms.slice(phrase.start, phrase.end);
    const head = words.at(-1);
    if (!head || PRONOUNS[head.normal] || words.length === 0) return;
    if (head.tags.has('Person') && !head.tags.has('FirstName')) this.antecedents.person = text;
    else if (head.tags.has('Plural')) this.antecedents.plural = text;
    else if (!head.tags.has('Person')) this.antecedents.thing = text;
  }
}

interface RawTerm {
  text: string;
  normal: string;
  tags: string[];
  chunk?: string;
  post: string;
}

function toTerm(raw: RawTerm): Term {
  return { text: raw.text, normal: raw.normal, tags: new Set(raw.tags), chunk: raw.chunk ?? '', post: raw.post };
}

/** Runs of verb-chunk words (auxiliaries, the verb, its adverbs and particles), never across a comma. */
function verbGroups(terms: Term[]): Array<{ start: number; end: number }> {
  const groups: Array<{ start: number; end: number }> = [];
  let index = 0;
  while (index < terms.length) {
    const term = terms[index]!;
    if (!term.tags.has('Verb')) {
      index += 1;
      continue;
    }
    let start = index;
    // Adverbs just before the verb ("slowly rose", "still turns") belong to its group.
    while (start > 0 && terms[start - 1]!.tags.has('Adverb') && !/[,;]/.test(terms[start - 1]!.post)) start -= 1;
    let end = index + 1;
    while (
      end < terms.length &&
      !/[,;.]/.test(terms[end - 1]!.post) &&
      (terms[end]!.tags.has('Verb') || terms[end]!.tags.has('Negative') || (terms[end]!.tags.has('Adverb') && terms[end]!.chunk === 'Verb'))
    ) {
      // "blocks" after "granite" is a noun a tagger may call a verb: a verb right after a noun-only word
      // with no subject break is part of that noun phrase, not a new group.
      if (terms[end]!.tags.has('PresentTense') && !terms[end]!.tags.has('Auxiliary') && terms[end - 1]!.tags.has('Gerund')) break;
      end += 1;
    }
    if (groups.length > 0 && start < groups.at(-1)!.end) start = groups.at(-1)!.end;
    groups.push({ start, end });
    index = end;
  }
  const merged: Array<{ start: number; end: number }> = [];
  for (const group of groups) {
    const last = merged.at(-1);
    const between = last ? terms.slice(last.end, group.start) : [];
    if (
      last &&
      between.length === 1 &&
      (between[0]!.normal === 'and' || between[0]!.normal === 'or') &&
      !/[,;.]/.test(terms[last.end - 1]!.post)
    )
      last.end = group.end;
    else merged.push({ ...group });
  }
  return merged.filter((group) => {
    const words = terms.slice(group.start, group.end);
    // "granite blocks": a plural noun the tagger read as a present-tense verb right after a noun.
    const only = words.length === 1 ? words[0]! : undefined;
    const previous = terms[group.start - 1];
    return !(
      only &&
      only.tags.has('PresentTense') &&
      !only.tags.has('Infinitive') &&
      previous?.tags.has('Noun') &&
      previous.tags.has('Uncountable')
    );
  });
}

/** The words after a verb up to the next verb group or the start of another clause. */
function boundedTail(terms: Term[], start: number, nextGroup: number): { start: number; end: number } {
  let end = start;
  while (end < nextGroup) {
    const term = terms[end]!;
    if (end > start && SUBORDINATORS.has(term.normal) && /[,;]/.test(terms[end - 1]!.post)) break;
    if (end > start && (term.normal === 'where' || term.normal === 'when' || term.normal === 'while')) break;
    end += 1;
    if (/[;.!?]/.test(term.post)) break;
    // A comma ends the tail unless an object list or a place phrase clearly goes on ("a, b and c").
    if (
      /,/.test(term.post) &&
      !(terms[end]?.tags.has('Noun') && !terms[end]?.tags.has('Pronoun') && nextGroup - end > 0 && listGoesOn(terms, end, nextGroup))
    )
      break;
  }
  // Words before the next verb group that are its subject are not this frame's.
  const nextSubject = nextGroup < terms.length ? nounPhrases(terms, start, nextGroup).at(-1) : undefined;
  // A participle ("…river water pumped through pipes") has no subject of its own: the phrase stays here.
  const nextIsFinite = nextGroup < terms.length && !terms[nextGroup]!.tags.has('Gerund') && !terms[nextGroup]!.tags.has('Participle');
  if (nextIsFinite && nextSubject && nextSubject.end === nextGroup && end > nextSubject.start && nextGroup === end) end = nextSubject.start;
  return { start, end: Math.max(start, end) };
}

function listGoesOn(terms: Term[], from: number, limit: number): boolean {
  for (let index = from; index < limit; index++) if (terms[index]!.normal === 'and') return true;
  return false;
}

/** Noun phrases between two word indexes: determiner, adjectives, nouns, "of" + another phrase. */
function nounPhrases(terms: Term[], start: number, end: number): Phrase[] {
  const phrases: Phrase[] = [];
  let index = start;
  while (index < end) {
    const term = terms[index]!;
    if (!isNominal(term)) {
      index += 1;
      continue;
    }
    let phraseEnd = index + 1;
    while (
      phraseEnd < end &&
      isNominal(terms[phraseEnd]!) &&
      !terms[phraseEnd]!.tags.has('Determiner') &&
      !/[,;.]/.test(terms[phraseEnd - 1]!.post)
    )
      phraseEnd += 1;
    // "a fishing village of forty families": "of" binds the next phrase to this one.
    if (phraseEnd + 1 < end && terms[phraseEnd]!.normal === 'of' && !/[,;.]/.test(terms[phraseEnd - 1]!.post)) {
      let ofEnd = phraseEnd + 1;
      while (
        ofEnd < end &&
        isNominal(terms[ofEnd]!) &&
        !(ofEnd > phraseEnd + 1 && terms[ofEnd]!.tags.has('Determiner')) &&
        !/[,;.]/.test(terms[ofEnd - 1]!.post)
      )
        ofEnd += 1;
      if (ofEnd > phraseEnd + 1) phraseEnd = ofEnd;
    }
    const words = terms.slice(index, phraseEnd);
    if (words.some((word) => word.tags.has('Noun') || word.tags.has('Pronoun') || word.tags.has('Date')))
      phrases.push({ start: index, end: phraseEnd, text: clean(joinWords(words)) });
    index = phraseEnd;
  }
  return phrases;
}

function isNominal(term: Term): boolean {
  if (term.tags.has('Verb') && !term.tags.has('Gerund')) return false;
  if (term.tags.has('Preposition') || term.tags.has('Conjunction') || term.tags.has('QuestionWord')) return false;
  return (
    term.tags.has('Noun') ||
    term.tags.has('Determiner') ||
    term.tags.has('Adjective') ||
    term.tags.has('Value') ||
    term.tags.has('Possessive') ||
    (term.tags.has('Gerund') && term.chunk === 'Noun')
  );
}

/** A phrase is a time when its last word is a time word or it is a date ("1927", "the spring of 1934"). */
function isTime(terms: Term[], phrase: Phrase): boolean {
  const words = terms.slice(phrase.start, phrase.end).filter((word) => !word.tags.has('Determiner') && !word.tags.has('Preposition'));
  if (words.length === 0) return false;
  const firstNoun = words.find((word) => word.tags.has('Noun') && !word.tags.has('Value'));
  if (firstNoun && TIME_WORDS.has(firstNoun.normal)) return true;
  return words.every((word) => word.tags.has('Date') || word.tags.has('Value') || TIME_WORDS.has(word.normal));
}

/** Time phrases at the start of a clause ("In the winter of 1927", "Every dawn", "By the spring of 1934"). */
function leadingTimes(terms: Term[], start: number, end: number): string[] {
  const times: string[] = [];
  let index = start;
  while (index < end) {
    const term = terms[index]!;
    if (term.tags.has('Preposition')) {
      const phraseEnd = prepositionalEnd(terms, index + 1, end);
      const phrase = { start: index + 1, end: phraseEnd, text: '' };
      if (phraseEnd > index + 1 && isTime(terms, phrase))
        times.push(
          clean(
            terms
              .slice(index, phraseEnd)
              .map((word) => word.text)
              .join(' '),
          ),
        );
      index = Math.max(phraseEnd, index + 1);
      continue;
    }
    const phrase = nounPhrases(terms, index, end)[0];
    if (phrase && phrase.start === index && isTime(terms, phrase)) {
      times.push(phrase.text);
      index = phrase.end;
      continue;
    }
    index += 1;
  }
  return times;
}

/** Where a prepositional phrase's noun phrase ends (with a following "of …" or locative chain kept). */
function prepositionalEnd(terms: Term[], start: number, end: number): number {
  const phrase = nounPhrases(terms, start, end)[0];
  if (!phrase || phrase.start !== start) return start;
  return phrase.end;
}

/** The verb as a shot says it: present participle; a passive keeps "being" + participle. */
function shotVerb(head: Term, kind: FrameKind): string {
  if (kind === 'participle') return head.text.toLowerCase();
  const infinitive = infinitiveOf(head);
  const doc = nlp(infinitive);
  doc.tag('Verb');
  const forms = doc.verbs().conjugate()[0] as Record<string, string> | undefined;
  if (kind === 'passive') return `being ${forms?.Participle ?? forms?.PastTense ?? head.text}`;
  return forms?.Gerund ?? head.text;
}

function infinitiveOf(term: Term): string {
  const doc = nlp(term.normal);
  doc.tag('Verb');
  doc.compute('root');
  const root = (doc.json() as Array<{ terms: Array<{ root?: string }> }>)[0]?.terms[0]?.root;
  return root ?? term.normal;
}

/** The frame a camera can film best; keywords given by the producer tip the choice toward theirs. */
function pickFrame(frames: Frame[], keywords: string[]): Frame | undefined {
  let best: { frame: Frame; score: number } | undefined;
  frames.forEach((frame) => {
    if (frame.negative || !frame.subject || /^(it|they|them|he|she|we|you|i|this|that|there)$/i.test(frame.subject.text)) return;
    let score = { finite: 4, passive: 3, participle: 3, copula: 0 }[frame.kind];
    if (frame.object) score += 1;
    if (frame.settings.length > 0) score += 1;
    if (frame.terms.some((term) => term.tags.has('Modal'))) score -= 2;
    const words = `${frame.subject.text} ${frame.verb} ${frame.object} ${frame.settings.join(' ')}`.toLowerCase();
    score += 2 * keywords.filter((keyword) => words.includes(keyword)).length;
    if (!best || score > best.score) best = { frame, score };
  });
  return best?.frame;
}

/** The producer's keywords the shot does not already show, as what it features (at most three). */
export function withKeywords(parts: ShotParts, keywords: readonly string[] | undefined): ShotParts {
  const said = Object.values(parts).join(' ').toLowerCase();
  const missing = (keywords ?? []).filter((keyword) => keyword.trim() !== '' && !said.includes(keyword.toLowerCase())).slice(0, 3);
  if (missing.length === 0) return parts;
  const list = missing.length === 1 ? missing[0]! : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)!}`;
  return { ...parts, details: `featuring ${list}`.slice(0, 200) };
}

/**
 * The subject: the noun phrase right before the verb, past any time phrases ("In 1927 a gale tore…"). A
 * phrase after a preposition ("with it came…") is that preposition's object: then the verb has no subject.
 */
function subjectBefore(terms: Term[], phrases: Phrase[]): Phrase | undefined {
  for (const phrase of [...phrases].reverse()) {
    if (isTime(terms, phrase)) continue;
    return terms[phrase.start - 1]?.tags.has('Preposition') ? undefined : phrase;
  }
  return undefined;
}

/** Words as written, with the commas between them. */
function joinWords(words: Term[], say: (term: Term) => string = (term) => term.text): string {
  return words.map((word, index) => `${say(word)}${index < words.length - 1 && word.post.includes(',') ? ',' : ''}`).join(' ');
}

function lastWord(text: string): string {
  return text.toLowerCase().split(/\s+/).at(-1) ?? '';
}

function clean(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/[,;:]+$/g, '')
    .replace(/[.!?]+$/g, '')
    .replace(/\s+(to|and|or|but)$/i, '')
    .trim();
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
