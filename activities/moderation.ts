/** A verdict on a prompt before any credit is spent. */
export interface ModerationVerdict {
  allowed: boolean;
  reason?: string;
  matched?: string[];
}

/** Pluggable prompt moderation: the built-in term list, or an external / LLM checker. */
export interface PromptModerator {
  readonly name: string;
  check(promptText: string): Promise<ModerationVerdict>;
}

export const DEFAULT_BLOCKED_TERMS: readonly string[] = ['gore', 'beheading', 'child abuse', 'nude', 'nsfw', 'terrorist attack'];

/** Whole-word, case-insensitive match against a configurable term list. */
export class TermListModerator implements PromptModerator {
  readonly name = 'term-list';
  private readonly patterns: Array<{ term: string; pattern: RegExp }>;

  constructor(terms: readonly string[] = DEFAULT_BLOCKED_TERMS) {
    this.patterns = terms
      .map((term) => term.trim())
      .filter((term) => term.length > 0)
      .map((term) => ({ term, pattern: new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(term)}($|[^\\p{L}\\p{N}])`, 'iu') }));
  }

  async check(promptText: string): Promise<ModerationVerdict> {
    const matched = this.patterns.filter(({ pattern }) => pattern.test(promptText)).map(({ term }) => term);
    return matched.length === 0
      ? { allowed: true }
      : { allowed: false, reason: `prompt contains blocked terms: ${matched.join(', ')}`, matched };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
