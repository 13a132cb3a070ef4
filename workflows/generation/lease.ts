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

/** The generation workflow's side of the lease pool: wait for a lease, hold it, give it back. */
export class GenerationLease {
  private readonly granted = new Set<string>();
  private readonly refused = new Map<string, LeaseRefusal>();

  /** `onQuotaWait`: the submission waits for the model's daily quota (shown as the generation's 'quota-wait'). */
  constructor(private readonly onQuotaWait: (wait: LeaseQuotaWait) => void) {
    setHandler(leaseGrantedSignal, ({ leaseId }) => void this.granted.add(leaseId));
    setHandler(leaseRefusedSignal, (refusal) => void this.refused.set(refusal.leaseId, refusal));
    setHandler(leaseQuotaWaitSignal, (wait) => this.onQuotaWait(wait));
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
    request: { model: string; credits: number; priority: PriorityClass; workload: string },
    work: (lease: { poolWorkflowId: string; leaseId: string }) => Promise<T>,
    handedBack?: (result: T) => boolean,
  ): Promise<T> {
    const { workflowId, runId, taskQueue } = workflowInfo();
    const poolWorkflowId = leasePoolWorkflowId(taskQueue);
    for (let dailyLimitAnswers = 0; ; dailyLimitAnswers++) {
      const leaseId = `${workflowId}/${runId}/${submission}${dailyLimitAnswers > 0 ? `.${dailyLimitAnswers}` : ''}`;
      const release: LeaseRelease = { leaseId };
      let released = false;
      try {
        await leaseRequestActivities().requestGenerationLease.executeWithOptions(
          { summary: `ask for a Runway ${request.model} lease (submission ${submission})` },
          [
            {
              poolWorkflowId,
              leaseId,
              workflowId,
              runId,
              leaseTtlMs: options.maxPendingWaitMs + options.maxRunningWaitMs + LEASE_MARGIN_MS,
              model: request.model,
              credits: request.credits,
              priority: request.priority,
              workload: request.workload,
            },
          ],
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
