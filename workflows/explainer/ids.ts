import type { ChunkGeneration } from '../../schemas';

/**
 * A chunk's clip or voiceover take within the explainer: `<chunkId>--clip|voice` for take 1 (its archive
 * folder; a re-run reuses it), `<chunkId>--clip--t2` for a later take beside it. Take numbers run on across
 * review rounds, so a take's key is never reused for another prompt or text.
 */
export function chunkGenerationKey(chunkId: string, generation: ChunkGeneration, take = 1): string {
  return take === 1 ? `${chunkId}--${generation}` : `${chunkId}--${generation}--t${take}`;
}

/** A chunk's clip or voiceover take, beside the explainer in the Web UI: `<explainerId>--<chunkId>--clip|voice[--tN]`. */
export function chunkWorkflowId(explainerId: string, chunkId: string, generation: ChunkGeneration, take = 1): string {
  return `${explainerId}--${chunkGenerationKey(chunkId, generation, take)}`;
}
