import type { ChunkGeneration } from '../../schemas';

/** A chunk's generation key within the explainer: `<chunkId>--clip|voice` (its archive folder). */
export function chunkGenerationKey(chunkId: string, generation: ChunkGeneration): string {
  return `${chunkId}--${generation}`;
}

/** A chunk's clip or voiceover, beside the explainer in the Web UI: `<explainerId>--<chunkId>--clip|voice`. */
export function chunkWorkflowId(explainerId: string, chunkId: string, generation: ChunkGeneration): string {
  return `${explainerId}--${chunkGenerationKey(chunkId, generation)}`;
}
