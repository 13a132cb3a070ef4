import { getExternalWorkflowHandle, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { GenerateOutcome, GenerationProgress, GenerationState } from '../../schemas';
import { cleanupActivities } from '../activity-stubs';
import { generationStateSignal } from '../messages';
import { GenerationStateKey, RunwayTaskIdKey } from '../search-attributes';

const RUNWAY_TO_STATE: Record<string, GenerationState> = {
  SUBMITTED: 'queued',
  PENDING: 'queued',
  THROTTLED: 'queued',
  RUNNING: 'running',
};

const FINAL_RUNWAY_STATUS: Partial<Record<GenerateOutcome['kind'], string>> = {
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  cancelled_remotely: 'CANCELLED',
};

/** Remote task bookkeeping: search attributes, the parent's view, and cleanup on cancel. */
export class RemoteTaskTracker {
  private currentSubmission = 0;
  /** GenerationProgress as the Web UI sees it; the starter sets 'waiting'. */
  private shownState: GenerationState = 'waiting';
  private openTaskId: string | undefined;
  /** The RunwayTaskId search attribute as last upserted. */
  private shownTaskId: string | undefined;

  /**
   * The generation activity tells the parent about the remote task's state itself, and the task id may
   * first reach the workflow with the activity's result or failure (the workflow shows it then).
   */
  constructor(
    private readonly status: GenerationProgress,
    private readonly generationKey: string,
  ) {}

  submissions(): number {
    return this.status.submissions.length;
  }

  beginSubmission(submission: number): void {
    this.currentSubmission = submission;
    // A moment before 'queued' or 'running': not worth an upsert (one history event each).
    this.setState('submitting', { notifyParent: false, searchAttribute: false });
  }

  onUpdate(update: { submission: number; taskId: string; status: string; progress?: number }): void {
    if (update.submission !== this.currentSubmission) return;
    this.status.runwayTaskStatus = update.status;
    if (update.progress !== undefined) this.status.progress = update.progress;
    const newTaskId = this.status.runwayTaskId !== update.taskId ? update.taskId : undefined;
    if (newTaskId !== undefined) {
      this.status.runwayTaskId = newTaskId;
      this.openTaskId = newTaskId;
    }
    const state = RUNWAY_TO_STATE[update.status];
    if (state && state !== this.status.state) this.setState(state, { runwayTaskId: newTaskId, notifyParent: false });
    else if (newTaskId !== undefined) {
      this.shownTaskId = newTaskId;
      upsertSearchAttributes([{ key: RunwayTaskIdKey, value: newTaskId }]);
    }
  }

  /**
   * The task a generation attempt that failed or timed out had open, from its last heartbeat: the
   * workflow may not have heard of it yet (its first poll had not come), and it must still be DELETEd.
   */
  adoptOpenTask(taskId: string | undefined): void {
    if (this.openTaskId === undefined && taskId !== undefined) this.openTaskId = taskId;
  }

  endSubmission(outcome: GenerateOutcome): void {
    this.openTaskId = undefined;
    this.status.runwayTaskId = outcome.taskId;
    // Terminal statuses come with the activity's result, not as signals (each signal costs history).
    const finalStatus = FINAL_RUNWAY_STATUS[outcome.kind];
    if (finalStatus) this.status.runwayTaskStatus = finalStatus;
    this.status.submissions.push({
      taskId: outcome.taskId,
      outcome: outcome.kind,
      credits: outcome.credits,
      ...(outcome.kind === 'failed' && outcome.failureCode !== undefined ? { failureCode: outcome.failureCode } : {}),
    });
  }

  /**
   * One upsert per change, task id and state together (each call is a history event); none when the
   * visible status would not change: children start with GenerationProgress 'waiting'.
   */
  setState(
    state: GenerationState,
    {
      notifyParent = true,
      searchAttribute = true,
      runwayTaskId,
    }: { notifyParent?: boolean; searchAttribute?: boolean; runwayTaskId?: string } = {},
  ): void {
    this.status.state = state;
    // A task that ended before its first poll reached the workflow shows its id with the next state.
    const taskIdToShow = runwayTaskId ?? (this.status.runwayTaskId !== this.shownTaskId ? this.status.runwayTaskId : undefined);
    if (taskIdToShow !== undefined) this.shownTaskId = taskIdToShow;
    const attributes = [
      ...(taskIdToShow !== undefined ? [{ key: RunwayTaskIdKey, value: taskIdToShow }] : []),
      ...(searchAttribute && state !== this.shownState ? [{ key: GenerationStateKey, value: state }] : []),
    ];
    if (searchAttribute) this.shownState = state;
    if (attributes.length > 0) upsertSearchAttributes(attributes);
    const parent = workflowInfo().parent;
    if (notifyParent && parent) {
      void getExternalWorkflowHandle(parent.workflowId)
        .signal(generationStateSignal, {
          generationKey: this.generationKey,
          state,
          submissions: this.status.submissions.length,
          ...(this.status.runwayTaskId !== undefined ? { runwayTaskId: this.status.runwayTaskId } : {}),
        })
        .catch(() => undefined);
    }
  }

  /** On cancel: DELETE a remote task the activity may not have reached (e.g. between retries). */
  async cancelRemoteTask(): Promise<void> {
    if (this.openTaskId === undefined) return;
    await cleanupActivities().cancelRunwayTask.executeWithOptions({ summary: `DELETE Runway task ${this.openTaskId}` }, [this.openTaskId]);
  }

  /** After the generation activity failed for good: best-effort DELETE of the task it left open (a repeat is a no-op). */
  async deleteOpenTask(): Promise<void> {
    const taskId = this.openTaskId;
    if (taskId === undefined) return;
    this.openTaskId = undefined;
    try {
      await cleanupActivities().cancelRunwayTask.executeWithOptions(
        { summary: `DELETE Runway task ${taskId}, left open by a failed generation` },
        [taskId],
      );
    } catch {
      // The cleanup activity retried and gave up: the video's failure matters more than this DELETE.
    }
  }
}
