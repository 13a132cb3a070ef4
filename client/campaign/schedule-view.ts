import type { ScheduleDescription, ScheduleExecutionResult, ScheduleSummary } from '@temporalio/client';
import { campaignIdFromWorkflowId } from '../../schemas/scheduled-run';

/** What createSchedule records in the schedule's memo, so list and describe can show it as written. */
export interface ScheduleMemo {
  campaignId: string;
  variants: number;
  cron?: string;
  every?: string;
}

/** One run a schedule started: its workflow and the campaign id derived from it. */
export interface ScheduledRun {
  workflowId: string;
  runId: string;
  campaignId: string;
  scheduledAt: string;
  takenAt: string;
}

export interface ScheduleOverview {
  scheduleId: string;
  campaignId?: string;
  variants?: number;
  cron?: string;
  every?: string;
  paused: boolean;
  note?: string;
  recentRuns: ScheduledRun[];
  nextRunTimes: string[];
}

export interface ScheduleDetails extends ScheduleOverview {
  overlap: string;
  taskQueue?: string;
  actionsTaken: number;
  actionsSkippedOverlap: number;
  runningWorkflowIds: string[];
  createdAt: string;
}

export function scheduleOverview(summary: ScheduleSummary | ScheduleDescription): ScheduleOverview {
  const memo = (summary.memo ?? {}) as Partial<ScheduleMemo>;
  return {
    scheduleId: summary.scheduleId,
    ...(memo.campaignId !== undefined ? { campaignId: memo.campaignId } : {}),
    ...(memo.variants !== undefined ? { variants: memo.variants } : {}),
    ...(memo.cron !== undefined ? { cron: memo.cron } : {}),
    ...(memo.every !== undefined ? { every: memo.every } : {}),
    paused: summary.state.paused,
    ...(summary.state.note ? { note: summary.state.note } : {}),
    recentRuns: summary.info.recentActions.map(scheduledRun),
    nextRunTimes: summary.info.nextActionTimes.map((time) => time.toISOString()),
  };
}

export function scheduleDetails(description: ScheduleDescription): ScheduleDetails {
  const action = description.action;
  return {
    ...scheduleOverview(description),
    overlap: (description.policies.overlap ?? 'SKIP').toLowerCase(),
    ...(action.type === 'startWorkflow' ? { taskQueue: action.taskQueue } : {}),
    actionsTaken: description.info.numActionsTaken,
    actionsSkippedOverlap: description.info.numActionsSkippedOverlap,
    runningWorkflowIds: description.info.runningActions.map((running) => running.workflow.workflowId),
    createdAt: description.info.createdAt.toISOString(),
  };
}

function scheduledRun(result: ScheduleExecutionResult): ScheduledRun {
  const { workflowId, firstExecutionRunId } = result.action.workflow;
  return {
    workflowId,
    runId: firstExecutionRunId,
    campaignId: campaignIdFromWorkflowId(workflowId),
    scheduledAt: result.scheduledAt.toISOString(),
    takenAt: result.takenAt.toISOString(),
  };
}
