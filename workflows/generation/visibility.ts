import type { ResolvedGenerationRequest } from '../../schemas';
import { GenerationKeyKey, GenerationStateKey, RunwayModelKey, WorkloadIdKey } from '../search-attributes';

/**
 * How a generation workflow shows in the Web UI from its start, whoever starts it (a workload, the client):
 * search attributes to filter by, a memo with the prompt's summary, and a one-line summary.
 */
export function generationVisibility(generation: {
  workloadId: string;
  generationKey: string;
  request: ResolvedGenerationRequest;
  fingerprint: string;
  label: string;
}) {
  const { request } = generation;
  const prompt = promptSummary(request.promptText);
  return {
    typedSearchAttributes: [
      { key: WorkloadIdKey, value: generation.workloadId },
      { key: GenerationKeyKey, value: generation.generationKey },
      { key: RunwayModelKey, value: request.model },
      { key: GenerationStateKey, value: 'waiting' },
    ],
    memo: {
      prompt,
      model: request.model,
      ...(request.kind === 'speech' ? { kind: 'speech', voice: request.voice } : { ratio: request.ratio, duration: request.duration }),
      fingerprint: generation.fingerprint,
    },
    staticSummary: `${generation.label}: ${prompt}`,
  };
}

/** The prompt as one short line. */
function promptSummary(promptText: string | undefined): string {
  if (!promptText) return '(image only)';
  return promptText.length > 80 ? `${promptText.slice(0, 77)}…` : promptText;
}
