import { MODEL_CATALOG, type ModelId } from '../schemas';

/** The shortest duration the model allows that covers the narration or segment, else the longest it allows. */
export function fitDuration(model: ModelId, lengthMs: number): number {
  const allowed = [...MODEL_CATALOG[model].durations].sort((a, b) => a - b);
  return allowed.find((seconds) => seconds * 1000 >= lengthMs) ?? allowed[allowed.length - 1]!;
}
