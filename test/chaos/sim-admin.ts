/** The parts of the simulator's GET /__sim/stats the chaos report reads. */
export interface SimTask {
  id: string;
  model: string;
  promptText?: string;
  submissionIndex: number;
  ratio: string;
  duration: number;
  status: string;
  createdAt: string;
  history: Array<{ status: string; at: string; simSeconds: number }>;
  credits: number;
  refunded: boolean;
  faults: string[];
  stuck: 'queue' | 'running' | null;
  failure: string | null;
  failureCode: string | null;
  outputSha256: string | null;
  outputBytes: number | null;
  urlsIssued: number;
  downloads: number;
  deleted: boolean;
}

export interface SimStats {
  submissions: { total: number; byModel: Record<string, number> };
  createsByPrompt: Record<string, number>;
  gets: number;
  deletes: number;
  requests: { creates: number; gets: number; deletes: number; rejectedByStatus: Record<string, number> };
  throttledCount: number;
  maxConcurrentRunning: { overall: number; byModel: Record<string, number> };
  currentRunning: { overall: number };
  credits: { charged: number; refunded: number; net: number };
  downloads: { total: number; ranged: number; truncated: number; head: number; forbidden: number };
  faultsInjected: Record<string, number>;
  tasks: SimTask[];
}

export async function simStats(adminUrl: string): Promise<SimStats> {
  const response = await fetch(`${adminUrl}/stats`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`simulator stats answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SimStats;
}
