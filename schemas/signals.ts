import type { TaskStatus } from './runway';
import type { VariantState } from './workflow-io';

/** Signal names shared by workflows (defineSignal) and activities/clients (by name). */
export const RUNWAY_TASK_UPDATE_SIGNAL = 'runwayTaskUpdate';
export const VARIANT_STATE_SIGNAL = 'variantState';
export const CREDIT_REQUEST_SIGNAL = 'creditRequest';
export const CREDIT_DECISION_SIGNAL = 'creditDecision';
export const PROGRESS_QUERY = 'progress';
export const VIDEO_STATUS_QUERY = 'videoStatus';

/** Sent by the generate activity to its own workflow as the remote task changes. */
export interface RunwayTaskUpdate {
  submission: number;
  taskId: string;
  status: TaskStatus | 'SUBMITTED';
  progress?: number;
}

/** Sent by a video workflow to its campaign parent. */
export interface VariantStateUpdate {
  variantId: string;
  state: VariantState;
  runwayTaskId?: string;
  submissions?: number;
  error?: string;
  credits?: number;
}

export interface CreditRequest {
  variantId: string;
  workflowId: string;
  submission: number;
  credits: number;
  /** What Runway has billed this video so far: the campaign settles the earlier submissions with it. */
  billedCredits?: number;
}

export interface CreditDecision {
  submission: number;
  granted: boolean;
  remaining: number;
}
