/**
 * Temporal's per-execution limits (self-hosted server defaults, also the dev server's): the history of one
 * workflow run is terminated past 51,200 events or 50 MB; a run may receive 10,000 signals; 2,000 child
 * workflows may be pending at once; each payload (input, result, activity argument) is capped at 2 MB.
 */
export const TEMPORAL_LIMITS = {
  historyEvents: 51_200,
  historyBytes: 50 * 1024 * 1024,
  signalsPerExecution: 10_000,
  pendingChildren: 2_000,
  payloadBytes: 2 * 1024 * 1024,
} as const;

export interface CampaignLimit {
  factor: string;
  limit: number;
  perVariant: number;
  /** The largest campaign this factor allows (all children start at once, so N pending children). */
  maxVariants: number;
}
