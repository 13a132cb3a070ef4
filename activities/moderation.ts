import type { ModerationVerdict } from '../schemas/moderation';

/** What a generation sends to Runway that a moderator can judge: its prompt text and its prompt images. */
export interface ModerationSubject {
  promptText?: string;
  /** Each an https URL or a data URI (a moderation model takes either). */
  promptImages?: readonly string[];
}

/** A moderator the pre-screen asks: the offline term list, or a moderation model (activities/moderation-provider.ts). */
export interface ContentModerator {
  readonly name: string;
  /** The verdict; a moderator that cannot answer throws (the error policy decides what that means). */
  check(subject: ModerationSubject): Promise<ModerationVerdict>;
}

export const DEFAULT_BLOCKED_TERMS: readonly string[] = ['gore', 'beheading', 'child abuse', 'nude', 'nsfw', 'terrorist attack'];

/** Whole-word, case-insensitive match of the prompt text against a configurable term list: offline, and first. */
export class TermListModerator implements ContentModerator {
  readonly name = 'term-list';
  private readonly patterns: Array<{ term: string; pattern: RegExp }>;

  constructor(terms: readonly string[] = DEFAULT_BLOCKED_TERMS) {
    this.patterns = terms
      .map((term) => term.trim())
      .filter((term) => term.length > 0)
      .map((term) => ({ term, pattern: new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(term)}($|[^\\p{L}\\p{N}])`, 'iu') }));
  }

  async check({ promptText }: ModerationSubject): Promise<ModerationVerdict> {
    if (promptText === undefined) return { moderator: this.name, allowed: true, checked: [], categories: [] };
    const matched = this.patterns.filter(({ pattern }) => pattern.test(promptText)).map(({ term }) => term);
    return { moderator: this.name, allowed: matched.length === 0, checked: ['text'], categories: matched };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
