/** Application counters the worker exports next to Temporal's own metrics. */
export interface AppMetrics {
  submissions(model: string): void;
  resubmissions(model: string, reason: string): void;
  throttledSeen(model: string): void;
  credits(model: string, credits: number): void;
  archiveBytes(bytes: number): void;
}

export const noopMetrics: AppMetrics = {
  submissions: () => undefined,
  resubmissions: () => undefined,
  throttledSeen: () => undefined,
  credits: () => undefined,
  archiveBytes: () => undefined,
};
