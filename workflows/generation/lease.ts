import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { GenerationOptions } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import type { PriorityClass } from '../../schemas/priority';
import { leaseRequestActivities } from '../activity-stubs';
import {
  leaseGrantedSignal,
  leasePoolWorkflowId,
  leaseQuotaWaitSignal,
  leaseRefusedSignal,
  releaseLeaseSignal,
  type LeaseQuotaWait,
  type LeaseRefusal,
  type LeaseRelease,
} from '../messages';

/**
 * Extra lease time beyond the longest a generation may take, for retries and worker restarts. Past it the
 * pool only checks that this run is still open (and renews the lease if so).
 */
const LEASE_MARGIN_MS = 30 * 60_000;

/**
 * Daily-limit answers one submission waits out before it gives up: each wait lasts until the pool has read
 * room in the workspace again, so this bounds a disagreement between the workspace's count and Runway's
 * answer, not the length of a quota wait.
 */
const MAX_DAILY_LIMIT_ANSWERS = 10;

/** What a submission asks the pool for: the model, its list-price credits, its class and the workload it takes turns for. */
export interface LeaseAsk {
  model: string;
  credits: number;
  priority: PriorityClass;
  workload: string;
}

/**
 * The request for one submission's lease, the same whoever sends it (the generation, or the workload that started it):
 * the lease id names the holder's run and the submission, so a repeat is the same request to the pool.
 */
export function leaseRequestFor(
  holder: { workflowId: string; runId: string; taskQueue: string },
  submission: number,
  dailyLimitAnswers: number,
  options: Pick<GenerationOptions, 'maxPendingWaitMs' | 'maxRunningWaitMs'>,
  ask: LeaseAsk,
) {
  return {
    poolWorkflowId: leasePoolWorkflowId(holder.taskQueue),
    leaseId: leaseIdOf(holder, submission, dailyLimitAnswers),
    workflowId: holder.workflowId,
    runId: holder.runId,
    leaseTtlMs: options.maxPendingWaitMs + options.maxRunningWaitMs + LEASE_MARGIN_MS,
    ...ask,
  };
}

/** A submission's lease id: the holder's run, the submission, and the new lease after each daily-limit answer. */
function leaseIdOf(holder: { workflowId: string; runId: string }, submission: number, dailyLimitAnswers: number): string {
  return `${holder.workflowId}/${holder.runId}/${submission}${dailyLimitAnswers > 0 ? `.${dailyLimitAnswers}` : ''}`;
}

/** The generation workflow's side of the lease pool: wait for a lease, hold it, give it back. */
export class GenerationLease {
  private readonly granted = new Set<string>();
  private readonly refused = new Map<string, LeaseRefusal>();
  /** The first submission's lease, asked for by the workload that started this run, until hold() takes it over. */
  private unclaimed: { poolWorkflowId: string; leaseId: string } | undefined;

  /**
   * `onQuotaWait`: the submission waits for the model's daily quota (shown as the generation's 'quota-wait').
   * `requestedByWorkload`: the workload asked for the first submission's lease as it started this run.
   */
  constructor(
    private readonly onQuotaWait: (wait: LeaseQuotaWait) => void,
    requestedByWorkload = false,
  ) {
    setHandler(leaseGrantedSignal, ({ leaseId }) => void this.granted.add(leaseId));
    setHandler(leaseRefusedSignal, (refusal) => void this.refused.set(refusal.leaseId, refusal));
    setHandler(leaseQuotaWaitSignal, (wait) => this.onQuotaWait(wait));
    if (requestedByWorkload) {
      const info = workflowInfo();
      this.unclaimed = { poolWorkflowId: leasePoolWorkflowId(info.taskQueue), leaseId: leaseIdOf(info, 1, 0) };
    }
  }

  /**
   * The run ends before it asked for the lease its workload requested (its pre-screen refused the prompt, it was
   * cancelled): give that lease back, granted or still waiting, so it never sits idle until its TTL.
   */
  async releaseUnclaimed(): Promise<void> {
    const unclaimed = this.unclaimed;
    if (!unclaimed) return;
    this.unclaimed = undefined;
    await CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(unclaimed.poolWorkflowId).signal(releaseLeaseSignal, { leaseId: unclaimed.leaseId }),
    );
  }

  /**
   * Holds a lease of `model` for the duration of `work`, given back whatever happens (failure, cancel). A
   * create Runway answers with its daily limit gives the lease back marked so, and waits for a new one: the
   * pool grants it once the workspace shows room. A create refused for want of credits tells the pool,
   * which refuses the requests still waiting instead of letting them POST. `handedBack`: the work's result
   * says the pool already has the lease back (the pool's history holds that release), so no second one.
   */
  async hold<T>(
    submission: number,
    options: GenerationOptions,
    request: LeaseAsk,
    work: (lease: { poolWorkflowId: string; leaseId: string }) => Promise<T>,
    handedBack?: (result: T) => boolean,
  ): Promise<T> {
    for (let dailyLimitAnswers = 0; ; dailyLimitAnswers++) {
      const ask = leaseRequestFor(workflowInfo(), submission, dailyLimitAnswers, options, request);
      const { poolWorkflowId, leaseId } = ask;
      const release: LeaseRelease = { leaseId };
      let released = false;
      try {
        // The workload already asked for this one: this run only waits for its grant.
        if (this.unclaimed?.leaseId === leaseId) this.unclaimed = undefined;
        else
          await leaseRequestActivities().requestGenerationLease.executeWithOptions(
            { summary: `ask for a Runway ${request.model} lease (submission ${submission})` },
            [ask],
          );
        await condition(() => this.granted.has(leaseId) || this.refused.has(leaseId));
        const refusal = this.refused.get(leaseId);
        if (refusal) throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
        const result = await work({ poolWorkflowId, leaseId });
        released = handedBack?.(result) ?? false;
        return result;
      } catch (error) {
        const type = error instanceof ApplicationFailure ? error.type : undefined;
        // Runway's own refusal, not the pool's: the pool already knows what it refused.
        if (type === FailureType.InsufficientCredits && !this.refused.has(leaseId)) release.outOfCredits = true;
        if (type !== FailureType.DailyQuotaReached || dailyLimitAnswers + 1 >= MAX_DAILY_LIMIT_ANSWERS) throw error;
        release.dailyLimitReached = true;
        this.onQuotaWait({ leaseId, model: request.model, dailyGenerations: 0, maxDaily: null });
      } finally {
        if (!released) {
          await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(poolWorkflowId).signal(releaseLeaseSignal, release));
        }
      }
    }
  }
}
