import type { WrittenPrompt } from '../../schemas';
import type { NarrationUnit } from './narration';
import type { PromptShape } from './shapes';

export type { NarrationUnit } from './narration';

/** What every workload asks: its narration units in order, the shape of its prompts and its style. */
export interface PromptRequest {
  units: readonly NarrationUnit[];
  shape: PromptShape;
  style: string;
}

/**
 * The one interface every prompt writer has: a prompt per unit, in order, each saying which writer made
 * it (and, for a language-model fallback, why). A writer never fails a plan over a prompt: the
 * deterministic writer always answers, and the language-model writer falls back to it.
 */
export interface PromptWriter {
  write(request: PromptRequest): Promise<WrittenPrompt[]>;
}
