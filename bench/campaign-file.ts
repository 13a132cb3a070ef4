import type { CampaignFileInput, GenerationOptionsInput } from '../schemas';
import { DURATION, MODEL, RATIO } from './bench-config';

/** A text-to-video campaign (no image to stage): one variant per prompt, ids v0001 … */
export function benchCampaign(campaignId: string, prompts: readonly string[], options: GenerationOptionsInput): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: MODEL, ratio: RATIO, duration: DURATION },
    variants: prompts.map((promptText, index) => ({ id: variantId(index), promptText })),
    options,
  };
}

export function variantId(index: number): string {
  return `v${String(index + 1).padStart(4, '0')}`;
}
