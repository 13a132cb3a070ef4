import type { WrittenPrompt } from '../../schemas';
import { NarrationReader } from './narration';
import type { PromptRequest, PromptWriter } from './prompt-writer';

/** The deterministic writer: compromise reads each unit (in order, so pronouns and era carry) into shot parts. */
export class NlpPromptWriter implements PromptWriter {
  write(request: PromptRequest): Promise<WrittenPrompt[]> {
    return Promise.resolve(writeDeterministic(request));
  }
}

export function writeDeterministic(request: PromptRequest): WrittenPrompt[] {
  const reader = new NarrationReader();
  return request.units.map((unit) => {
    const parts = reader.read(unit);
    return { promptText: request.shape.compose(parts, request.style), writer: 'nlp', parts };
  });
}
