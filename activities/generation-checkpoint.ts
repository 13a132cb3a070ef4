import type { RunwayTask } from '../schemas';
import type { ProgressSample } from './poll-schedule';

/** What survives a worker crash: recorded with heartbeat() and read back on the next attempt. */
export interface Checkpoint {
  taskId: string;
  submittedAt: number;
  runningSince?: number;
  lastStatus: string;
  polls: number;
  /** Runway's estimatedCost from the create answer: the most the task may charge. */
  estimatedCredits?: number;
  /** The last RUNNING poll's progress, to predict the end. */
  progressSample?: ProgressSample;
  /**
   * Why the latest polls failed, while they do: when Temporal's bound cuts an attempt short, its timeout
   * carries only these details, and the workflow names the real cause from them.
   */
  lastError?: { type: string; message: string };
}

export function readCheckpoint(details: unknown): Checkpoint | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const candidate = details as Partial<Checkpoint>;
  if (typeof candidate.taskId !== 'string' || typeof candidate.submittedAt !== 'number') return undefined;
  return {
    taskId: candidate.taskId,
    submittedAt: candidate.submittedAt,
    runningSince: candidate.runningSince,
    lastStatus: candidate.lastStatus ?? 'SUBMITTED',
    polls: candidate.polls ?? 0,
    ...(candidate.estimatedCredits !== undefined ? { estimatedCredits: candidate.estimatedCredits } : {}),
    ...(candidate.progressSample ? { progressSample: candidate.progressSample } : {}),
    ...(candidate.lastError ? { lastError: candidate.lastError } : {}),
  };
}

/** The previous and the new progress sample of a RUNNING task (the new one kept in the checkpoint). */
export function trackProgress(checkpoint: Checkpoint, task: RunwayTask): [ProgressSample | undefined, ProgressSample | undefined] {
  if (task.status !== 'RUNNING' || task.progress === undefined) return [undefined, undefined];
  const previous = checkpoint.progressSample;
  const latest = { progress: task.progress, at: Date.now() };
  checkpoint.progressSample = latest;
  return [previous, latest];
}
