import type { TaskStatus, VideoEndpoint } from './contract';
import type { MediaVariant } from './media';
import type { SpeechModel } from './speech';

/** Every create endpoint the simulator serves, and every model it knows. */
export type SimEndpoint = VideoEndpoint | 'text_to_speech';
/** A video model id from simulator/contract.ts, or a speech model. */
export type SimModel = string | SpeechModel;

/** How a task will end, decided when it is created. */
export type TaskFate = 'succeed' | 'bad_output' | 'moderation' | 'fail';

/** How a task with fate 'fail' fails: the code (none for a FAILED without failureCode) and text. */
export interface TaskFailure {
  code?: string;
  text: string;
}
export type StuckAt = 'queue' | 'running';

/** What fault rules and deterministic draws look at. */
export interface TaskFacts {
  model: SimModel;
  endpoint: SimEndpoint;
  promptText?: string;
  /** promptText, or a digest of promptImage when there is no text. */
  promptKey: string;
  /** 0 for the first submission of this (model, promptKey), 1 for the next, ... */
  submissionIndex: number;
}

export interface StatusChange {
  status: TaskStatus;
  at: string;
  simSeconds: number;
}

export interface TaskRecord extends TaskFacts {
  id: string;
  /** Video tasks only. */
  ratio?: string;
  /** Seconds of output: the clip's duration, or the speech's length. */
  duration: number;
  /** Speech tasks only: the voice preset. */
  voice?: string;
  credits: number;
  refunded: boolean;
  createdAt: string;
  createdSim: number;
  status: TaskStatus;
  history: StatusChange[];
  generationSeconds: number;
  fate: TaskFate;
  /** fate 'fail' only. */
  failWith?: TaskFailure;
  stuck?: StuckAt;
  faultsApplied: string[];
  holdsSlot: boolean;
  runningSinceSim?: number;
  failure?: string;
  failureCode?: string;
  /** Resolves once the output file exists; never rejects (an Error is a value here). */
  media: Promise<MediaVariant | Error>;
  output?: MediaVariant;
  deleted: boolean;
  downloads: number;
  urlsIssued: number;
  timer?: NodeJS.Timeout;
  queueTimer?: NodeJS.Timeout;
}

export const ACTIVE_STATUSES: readonly TaskStatus[] = ['PENDING', 'THROTTLED', 'RUNNING'];

export function isActive(task: TaskRecord): boolean {
  return ACTIVE_STATUSES.includes(task.status);
}
