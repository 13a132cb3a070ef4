// One file on purpose: one attempt of the generation activity on one Runway task (submit or adopt, poll,
// give up, DELETE, hand the lease back) is one class whose steps share the checkpoint every heartbeat carries.
import { activityInfo, cancellationDetails, getClient, heartbeat, log, sleep } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import {
  classifyFailureCode,
  FailureType,
  requestCredits,
  type GenerateOutcome,
  type ResolvedGenerationRequest,
  type RunwayTask,
  type GenerationState,
} from '../schemas';
import { leaseEstimateSignal, releaseLeaseSignal, runwayTaskUpdateSignal, type RunwayTaskUpdate } from '../workflows/messages';
import { showParentState } from './parent-state';
import type { ActivityDeps } from './deps';
import { readCheckpoint, trackProgress, type Checkpoint } from './generation-checkpoint';
import { nextPollDelay } from './poll-schedule';
import { DEFAULT_POLL_FLOOR_MS } from '../schemas/options';
import { promptImageUri } from './prompt-image';
import { journalledSubmissionSchema, submissionJournals } from './submission-journal';
import { activityKey, SubmissionLedger, type ActivityKey } from './submission-ledger';
import { RunwayHttpError, RunwayProtocolError, toApplicationFailure } from './runway/errors';
import { requestBody } from './runway/request-body';

export interface GenerateInput {
  generationId: string;
  /** 1-based number of this submission within the generation workflow. */
  submission: number;
  /** A video or a speech task: the same submit, poll, resubmit and failure handling for every kind. */
  request: ResolvedGenerationRequest;
  pollIntervalMs: number;
  pollJitter: number;
  maxPendingWaitMs: number;
  maxRunningWaitMs: number;
  /** Set on a resubmission: why the previous submission did not succeed (queue_timeout, failed, …), for the metric. */
  resubmitReason?: string;
  /** The lease this submission holds: given back as soon as the remote task ends. */
  lease?: { poolWorkflowId: string; leaseId: string };
  /**
   * The workload that shows this generation's state (a campaign, B-roll project, explainer): told here, by the
   * activity that sees the change, so the generation's own history carries no signal to its parent for it.
   */
  parent?: { workflowId: string; generationKey: string };
}

type GenerateDeps = Pick<
  ActivityDeps,
  'runway' | 's3' | 'metrics' | 'submissionJournalDir' | 'submissionJournalS3' | 'uploadReuseMs' | 'pollFloorMs'
>;

/**
 * Submit once, record the task id at once, then poll with heartbeats until a terminal state.
 * Runs on the generation task queue, whose worker slot count is the Runway concurrency cap: a worker slot is
 * held for exactly as long as the remote task can count against Runway's concurrency.
 */
export function createGenerate(deps: GenerateDeps) {
  const ledger = new SubmissionLedger<Checkpoint>(submissionJournals(deps, journalledSubmissionSchema), (error, journal) =>
    log.warn('could not journal a Runway submission; its task is tracked by the other journals and the heartbeat', {
      journal,
      error: String(error),
    }),
  );
  return async function generate(input: GenerateInput): Promise<GenerateOutcome> {
    const attempt = await GenerationAttempt.start(deps, ledger, input);
    return attempt.run();
  };
}

/**
 * What a refused create means. A 429 is the model's daily limit when the workspace says its count has
 * reached it: the video waits for its quota instead of retrying into the same answer. A refusal for want
 * of credits stops every submission still waiting. Anything else is the usual typed failure.
 */
async function createRefusal(deps: Pick<ActivityDeps, 'runway'>, model: string, error: unknown): Promise<ApplicationFailure> {
  if (error instanceof RunwayHttpError && error.status === 429) {
    const quota = await deps.runway.getOrganization().then(
      (organization) => ({
        dailyGenerations: organization.usage.models[model]?.dailyGenerations ?? 0,
        maxDaily: organization.tier.models[model]?.maxDailyGenerations ?? null,
      }),
      () => undefined,
    );
    const reached = quota ? quota.maxDaily !== null && quota.dailyGenerations >= quota.maxDaily : /daily/i.test(error.apiMessage);
    if (reached) {
      return ApplicationFailure.create({
        type: FailureType.DailyQuotaReached,
        nonRetryable: true,
        message: `Runway's daily generation limit for ${model} is reached${quota ? ` (${quota.dailyGenerations} of ${quota.maxDaily} in the past 24 h)` : ''}: ${error.apiMessage}`,
        details: [{ model, ...quota }],
      });
    }
  }
  if (error instanceof RunwayHttpError && (error.status === 400 || error.status === 402) && /credit/i.test(error.apiMessage)) {
    return ApplicationFailure.create({
      type: FailureType.InsufficientCredits,
      nonRetryable: true,
      message: `Runway refused the ${model} task for want of credits: ${error.apiMessage}`,
      details: [{ model, status: error.status }],
    });
  }
  return toApplicationFailure(error);
}

/**
 * A failed poll (429, 5xx, network, open circuit) is just a missed poll: the next one comes after the
 * poll interval or the Retry-After, whichever is longer. Only a run of them fails the attempt and hands
 * over to the activity's retry policy.
 */
export const MAX_CONSECUTIVE_POLL_FAILURES = 5;

/**
 * One attempt of the generation activity on one Runway task: the task it submitted or took over, and
 * the checkpoint that every heartbeat carries (updated in place as polls come in).
 */
class GenerationAttempt {
  private constructor(
    private readonly deps: GenerateDeps,
    private readonly input: GenerateInput,
    private readonly checkpoint: Checkpoint,
  ) {}

  /** Take over the task an earlier attempt recorded (in its heartbeat, else in the ledger: memory, disk, S3), or submit it now. */
  static async start(deps: GenerateDeps, ledger: SubmissionLedger<Checkpoint>, input: GenerateInput): Promise<GenerationAttempt> {
    const info = activityInfo();
    const key = activityKey(info);
    const resumed = readCheckpoint(info.heartbeatDetails) ?? (await GenerationAttempt.adoptFromLedger(ledger, key, input));
    if (resumed) {
      log.info('resuming Runway task after retry', {
        generationId: input.generationId,
        runwayTaskId: resumed.taskId,
        polls: resumed.polls,
      });
      return new GenerationAttempt(deps, input, resumed);
    }
    const attempt = new GenerationAttempt(deps, input, await ledger.record(key, () => GenerationAttempt.submit(deps, input)));
    await attempt.announce();
    return attempt;
  }

  /** An earlier attempt (on this worker, before its restart, or on another replica) submitted, but Temporal never got its heartbeat: take its task over. */
  private static async adoptFromLedger(
    ledger: SubmissionLedger<Checkpoint>,
    key: ActivityKey,
    input: GenerateInput,
  ): Promise<Checkpoint | undefined> {
    const adopted = await ledger.find(key);
    if (adopted)
      log.warn('an earlier attempt submitted this task but its heartbeat never reached Temporal; adopting it', {
        generationId: input.generationId,
        runwayTaskId: adopted.taskId,
      });
    return adopted;
  }

  /** POST the task: what the ledger records (in its journals too) the moment Runway answers. */
  private static async submit(deps: Pick<ActivityDeps, 'runway' | 's3' | 'uploadReuseMs'>, input: GenerateInput): Promise<Checkpoint> {
    const image = input.request.kind === 'speech' ? undefined : input.request.promptImage;
    const { endpoint, body } = requestBody(input.request, image ? await promptImageUri(deps, image) : undefined);
    try {
      const { id, estimatedCost } = await deps.runway.createTask(endpoint, body);
      return {
        taskId: id,
        submittedAt: Date.now(),
        lastStatus: 'SUBMITTED',
        polls: 0,
        ...(estimatedCost ? { estimatedCredits: estimatedCost.credits } : {}),
      };
    } catch (error) {
      throw await createRefusal(deps, input.request.model, error);
    }
  }

  /** Poll the task to its end; a cancelled workflow DELETEs it, any other error leaves as a typed failure. */
  async run(): Promise<GenerateOutcome> {
    try {
      return await this.pollUntilDone();
    } catch (error) {
      if (error instanceof CancelledFailure && cancellationDetails()?.cancelRequested) {
        await this.cancelRemote();
      }
      throw error instanceof CancelledFailure ? error : toApplicationFailure(error);
    }
  }

  /**
   * Record the new task with Temporal (the heartbeat) at once. The workflow learns its id with the first
   * poll's status (one signal for both, usually straight to RUNNING): until then the heartbeat holds it,
   * and a failed or timed-out attempt hands it to the workflow for the DELETE.
   */
  private async announce(): Promise<void> {
    const { input, checkpoint } = this;
    heartbeat({ ...checkpoint });
    this.deps.metrics.submissions(input.request.model);
    if (input.resubmitReason !== undefined) this.deps.metrics.resubmissions(input.request.model, input.resubmitReason);
    log.info('submitted to Runway', {
      generationId: input.generationId,
      runwayTaskId: checkpoint.taskId,
      submission: input.submission,
      model: input.request.model,
      estimatedCredits: checkpoint.estimatedCredits,
    });
    await this.correctReservations();
  }

  /**
   * Runway's create answer names the most the task may charge. Where that differs from the list price the
   * lease pool and the workload's credit book reserved, both are corrected now, before the first poll: the
   * 30-day spend cap and the budget count Runway's figure from the moment it exists. Equal (the usual
   * case): nothing to correct, nothing sent.
   */
  private async correctReservations(): Promise<void> {
    const { input, checkpoint } = this;
    const estimated = checkpoint.estimatedCredits;
    if (estimated === undefined || estimated === requestCredits(input.request)) return;
    const { lease, parent } = input;
    await Promise.all([
      lease
        ? getClient()
            .workflow.getHandle(lease.poolWorkflowId)
            .signal(leaseEstimateSignal, { leaseId: lease.leaseId, credits: estimated })
            .catch((error: unknown) => log.debug('could not correct the lease reservation', { error: String(error) }))
        : undefined,
      parent
        ? showParentState(parent.workflowId, {
            generationKey: parent.generationKey,
            state: 'queued',
            runwayTaskId: checkpoint.taskId,
            submissions: input.submission - 1,
            estimatedCredits: estimated,
          })
        : undefined,
    ]);
  }

  private async pollUntilDone(): Promise<GenerateOutcome> {
    const { deps, input, checkpoint } = this;
    const listCredits = requestCredits(input.request);
    let failedPolls = 0;
    // Runway: "not expect updates more often than once every five seconds for a given task". Every wait
    // before a poll, the predicted-end one and those after a failed poll included, is at least the floor.
    const floorMs = deps.pollFloorMs ?? DEFAULT_POLL_FLOOR_MS;
    let waitMs = jittered(input.pollIntervalMs, input.pollJitter);
    for (;;) {
      await this.sleepHeartbeating(Math.max(waitMs, floorMs));
      waitMs = jittered(input.pollIntervalMs, input.pollJitter);
      let task: RunwayTask;
      try {
        task = await deps.runway.getTask(checkpoint.taskId);
      } catch (error) {
        if (error instanceof RunwayHttpError && error.status === 404)
          return { kind: 'vanished', taskId: checkpoint.taskId, credits: 0, polls: checkpoint.polls + 1 };
        if (error instanceof RunwayProtocolError) throw await this.abandonUnreadableTask(error);
        const transient = transientPollFailure(error);
        failedPolls += 1;
        if (!transient || failedPolls >= MAX_CONSECUTIVE_POLL_FAILURES) throw error;
        log.warn('poll failed; polling again', {
          generationId: input.generationId,
          runwayTaskId: checkpoint.taskId,
          failedPolls,
          error: error instanceof Error ? error.message : String(error),
        });
        const typed = toApplicationFailure(error);
        checkpoint.lastError = { type: typed.type ?? FailureType.RunwayNetworkError, message: typed.message };
        heartbeat({ ...checkpoint });
        waitMs = Math.max(waitMs, transient.retryAfterMs ?? 0);
        continue;
      }
      failedPolls = 0;
      delete checkpoint.lastError;
      checkpoint.polls += 1;
      await this.recordStatus(task);
      const outcome = this.terminalOutcome(task, listCredits);
      if (outcome) return this.finish(outcome);
      const timeout = this.waitExceeded(task);
      if (timeout) return this.giveUpWaiting(timeout, listCredits);
      // A predicted end sets the next poll exactly (aligned to the floor); jitter would undo the alignment.
      waitMs = nextPollDelay(input.pollIntervalMs, ...trackProgress(checkpoint, task), floorMs) ?? waitMs;
    }
  }

  /**
   * The task ended on Runway's side: count what it cost and hand the lease on. A success is archived next;
   * the archive activity shows the parent so if it lasts (a small clip's moment is not worth a signal).
   */
  private async finish(outcome: GenerateOutcome): Promise<GenerateOutcome> {
    if (outcome.credits > 0) this.deps.metrics.credits(this.input.request.model, outcome.credits);
    const released = await this.releaseLeaseEarly();
    return released ? { ...outcome, leaseReleased: true } : outcome;
  }

  /** The task queued or ran too long: DELETE it and report the timeout. */
  private async giveUpWaiting(
    timeout: { kind: 'queue_timeout' | 'running_timeout'; waitedMs: number },
    listCredits: number,
  ): Promise<GenerateOutcome> {
    const { input, checkpoint } = this;
    const deleted = await this.deps.runway.deleteTask(checkpoint.taskId);
    log.warn('Runway task waited too long; cancelled it', {
      generationId: input.generationId,
      runwayTaskId: checkpoint.taskId,
      kind: timeout.kind,
      waitedMs: timeout.waitedMs,
    });
    const leaseReleased = deleted && (await this.releaseLeaseEarly());
    // Runway refunds a task cancelled before it ran; one that started running is charged.
    return {
      ...timeout,
      taskId: checkpoint.taskId,
      credits: timeout.kind === 'running_timeout' ? listCredits : 0,
      deleted,
      polls: checkpoint.polls,
      ...(leaseReleased ? { leaseReleased } : {}),
    };
  }

  /**
   * The task answers in a shape we cannot read, so we can no longer tell when it ends, what it cost or
   * where its output is. Best effort: DELETE it so it stops counting against Runway's concurrency and costing credits
   * (nothing we could archive would come of it), give the lease back, and fail this video without retry.
   * A DELETE that fails leaves the task to run out on Runway's side; the failure says so in the log.
   */
  private async abandonUnreadableTask(error: RunwayProtocolError): Promise<ApplicationFailure> {
    const { input, checkpoint } = this;
    let deleted: boolean | 'failed' = 'failed';
    try {
      deleted = await this.deps.runway.deleteTask(checkpoint.taskId);
    } catch (deleteError) {
      log.warn('could not delete the unreadable Runway task', {
        generationId: input.generationId,
        runwayTaskId: checkpoint.taskId,
        error: String(deleteError),
      });
    }
    log.error('Runway answered off the API contract; giving up on this video', {
      generationId: input.generationId,
      runwayTaskId: checkpoint.taskId,
      operation: error.operation,
      field: error.field,
      problem: error.problem,
      remoteTaskDeleted: deleted,
    });
    if (deleted !== 'failed') await this.releaseLeaseEarly();
    return ApplicationFailure.create({
      type: FailureType.RunwayProtocolError,
      message: `${error.message}; task ${checkpoint.taskId} ${deleted === 'failed' ? 'could not be deleted' : 'deleted'}`,
      nonRetryable: true,
      details: [
        {
          operation: error.operation,
          field: error.field,
          problem: error.problem,
          runwayTaskId: checkpoint.taskId,
          remoteTaskDeleted: deleted,
        },
      ],
    });
  }

  /**
   * The remote task no longer counts against Runway's concurrency: hand the lease back now, so the pool grants the next
   * video while this result travels to its workflow. True once Temporal has accepted the signal (it is in
   * the pool's history): the workflow then sends no release of its own; otherwise it gives the lease back.
   */
  private async releaseLeaseEarly(): Promise<boolean> {
    const { lease } = this.input;
    if (!lease) return false;
    try {
      await getClient().workflow.getHandle(lease.poolWorkflowId).signal(releaseLeaseSignal, { leaseId: lease.leaseId });
      return true;
    } catch (error) {
      log.debug('could not give the lease back early; the workflow gives it back', { error: String(error) });
      return false;
    }
  }

  private async recordStatus(task: RunwayTask): Promise<void> {
    const { input, checkpoint } = this;
    if (task.status === 'RUNNING' && checkpoint.runningSince === undefined) checkpoint.runningSince = Date.now();
    const previousStatus = checkpoint.lastStatus;
    checkpoint.lastStatus = task.status;
    heartbeat({ ...checkpoint });
    if (task.status === previousStatus) return;
    if (task.status === 'THROTTLED') this.deps.metrics.throttledSeen(input.request.model);
    if (!workflowShows(previousStatus, task.status)) return;
    await Promise.all([
      this.notifyWorkflow({
        submission: input.submission,
        taskId: checkpoint.taskId,
        status: task.status,
        ...(task.status === 'RUNNING' && task.progress !== undefined ? { progress: task.progress } : {}),
      }),
      parentShows(previousStatus, task.status) ? this.notifyParent(PARENT_STATE[task.status]) : undefined,
    ]);
  }

  private terminalOutcome(task: RunwayTask, listCredits: number): GenerateOutcome | undefined {
    const { polls, submittedAt } = this.checkpoint;
    switch (task.status) {
      case 'SUCCEEDED':
        return {
          kind: 'succeeded',
          taskId: task.id,
          credits: task.cost?.credits ?? listCredits,
          polls,
          submittedAt,
          finishedAt: Date.now(),
        };
      case 'FAILED':
        return {
          kind: 'failed',
          taskId: task.id,
          credits: task.cost?.credits ?? listCredits,
          failure: task.failure,
          ...(task.failureCode !== undefined ? { failureCode: task.failureCode } : {}),
          failureClass: classifyFailureCode(task.failureCode),
          polls,
        };
      case 'CANCELLED':
        return { kind: 'cancelled_remotely', taskId: task.id, credits: task.cost?.credits ?? 0, polls };
      default:
        return undefined;
    }
  }

  private waitExceeded(task: RunwayTask): { kind: 'queue_timeout' | 'running_timeout'; waitedMs: number } | undefined {
    const { input, checkpoint } = this;
    const now = Date.now();
    if ((task.status === 'PENDING' || task.status === 'THROTTLED') && now - checkpoint.submittedAt > input.maxPendingWaitMs) {
      return { kind: 'queue_timeout', waitedMs: now - checkpoint.submittedAt };
    }
    if (task.status === 'RUNNING' && checkpoint.runningSince !== undefined && now - checkpoint.runningSince > input.maxRunningWaitMs) {
      return { kind: 'running_timeout', waitedMs: now - checkpoint.runningSince };
    }
    return undefined;
  }

  private async cancelRemote(): Promise<void> {
    const { taskId } = this.checkpoint;
    try {
      await this.deps.runway.deleteTask(taskId);
      log.info('workflow cancelled: Runway task deleted', { runwayTaskId: taskId });
    } catch (error) {
      log.warn('workflow cancelled: could not delete Runway task; the workflow cleanup will retry', {
        runwayTaskId: taskId,
        error: String(error),
      });
    }
  }

  /** Tell our own workflow about the remote task (task id for search attributes and cleanup). Best effort. */
  private async notifyWorkflow(update: RunwayTaskUpdate): Promise<void> {
    const { workflowExecution } = activityInfo();
    if (!workflowExecution) return;
    try {
      await getClient().workflow.getHandle(workflowExecution.workflowId, workflowExecution.runId).signal(runwayTaskUpdateSignal, update);
    } catch (error) {
      log.debug('could not signal the workflow about the task', { error: String(error) });
    }
  }

  /** Tell the parent workload the generation's state (activities/parent-state.ts). */
  private async notifyParent(state: GenerationState): Promise<void> {
    const { parent, submission } = this.input;
    if (!parent) return;
    await showParentState(parent.workflowId, {
      generationKey: parent.generationKey,
      state,
      runwayTaskId: this.checkpoint.taskId,
      submissions: submission - 1,
    });
  }

  /**
   * Sleep, heartbeating the checkpoint at least every half heartbeat timeout: a long Retry-After or an
   * open circuit's cooldown is waited out in full without timing the attempt out.
   */
  private async sleepHeartbeating(ms: number): Promise<void> {
    const timeoutMs = activityInfo().heartbeatTimeoutMs;
    const sliceMs = timeoutMs ? timeoutMs / 2 : ms;
    for (let leftMs = ms; leftMs > 0; leftMs -= sliceMs) {
      await sleep(Math.min(leftMs, sliceMs));
      if (leftMs > sliceMs) heartbeat({ ...this.checkpoint });
    }
  }
}

/**
 * Whether the workflow would show anything new: every signal costs it a workflow task and history
 * events. The first status after the POST carries the task id (the workflow's RunwayTaskId and its
 * cleanup on cancel); after that PENDING and THROTTLED are both "queued" there, and a terminal status
 * arrives with this activity's result a moment later.
 */
function workflowShows(previous: string, next: string): next is 'PENDING' | 'THROTTLED' | 'RUNNING' {
  if (next !== 'PENDING' && next !== 'THROTTLED' && next !== 'RUNNING') return false;
  if (previous === 'SUBMITTED' || next === 'THROTTLED' || next === 'RUNNING') return true;
  return previous === 'THROTTLED';
}

const PARENT_STATE: Record<'PENDING' | 'THROTTLED' | 'RUNNING', GenerationState> = {
  PENDING: 'queued',
  THROTTLED: 'queued',
  RUNNING: 'running',
};

/** The parent shows queued or running: told on the first status and when that changes, not on THROTTLED ↔ PENDING. */
function parentShows(previous: string, next: 'PENDING' | 'THROTTLED' | 'RUNNING'): boolean {
  return (
    previous === 'SUBMITTED' || !(previous in PARENT_STATE) || PARENT_STATE[previous as keyof typeof PARENT_STATE] !== PARENT_STATE[next]
  );
}

/** Worth polling again (with the wait it asks for), or a real error. */
function transientPollFailure(error: unknown): { retryAfterMs?: number } | undefined {
  if (error instanceof RunwayHttpError)
    return error.status === 429 || error.status >= 500 ? { retryAfterMs: error.retryAfterMs } : undefined;
  if (error instanceof ApplicationFailure)
    return error.nonRetryable ? undefined : { retryAfterMs: msOptionalToNumber(error.nextRetryDelay ?? undefined) };
  return {};
}

function jittered(intervalMs: number, jitter: number): number {
  return Math.max(1, intervalMs * (1 + (Math.random() * 2 - 1) * jitter));
}
