import type { ResolvedGenerationRequest } from '../schemas';
import { CampaignIdKey, RunwayModelKey, VariantIdKey, VideoStateKey } from './search-attributes';

/**
 * How a video workflow shows in the Web UI from its start, whoever starts it (a campaign, the client):
 * search attributes to filter by, a memo with the prompt's summary, and a one-line summary.
 */
export function videoVisibility(video: {
  campaignId: string;
  variantId: string;
  request: ResolvedGenerationRequest;
  fingerprint: string;
  label: string;
}) {
  const prompt = promptSummary(video.request.promptText);
  return {
    typedSearchAttributes: [
      { key: CampaignIdKey, value: video.campaignId },
      { key: VariantIdKey, value: video.variantId },
      { key: RunwayModelKey, value: video.request.model },
      { key: VideoStateKey, value: 'waiting' },
    ],
    memo: {
      prompt,
      model: video.request.model,
      ...(video.request.kind === 'speech'
        ? { kind: 'speech', voice: video.request.voice }
        : { ratio: video.request.ratio, duration: video.request.duration }),
      fingerprint: video.fingerprint,
    },
    staticSummary: `${video.label}: ${prompt}`,
  };
}

/** The prompt as one short line. */
function promptSummary(promptText: string | undefined): string {
  if (!promptText) return '(image only)';
  return promptText.length > 80 ? `${promptText.slice(0, 77)}…` : promptText;
}
