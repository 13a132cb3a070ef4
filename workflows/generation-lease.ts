import { CancellationScope, condition, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import type { GenerationOptions } from '../schemas';
import { leaseRequestActivities } from './activity-stubs';
import { leaseGrantedSignal, leasePoolWorkflowId, releaseLeaseSignal } from './messages';

/**
 * Extra lease time beyond the longest a generation may take, for retries and worker restarts. Past it the
 * pool only checks that this run is still open (and renews the lease if so).
 */
const LEASE_MARGIN_MS = 30 * 60_000;

/** The video workflow's side of the lease pool: wait for a lease, hold it, give it back. */
export class GenerationLease {
  private readonly granted = new Set<string>();

  constructor() {
    setHandler(leaseGrantedSignal, ({ leaseId }) => void this.granted.add(leaseId));
  }

  /** Holds a lease for the duration of `work`, given back whatever happens (failure, cancel). */
  async hold<T>(
    submission: number,
    options: GenerationOptions,
    work: (lease: { poolWorkflowId: string; leaseId: string }) => Promise<T>,
  ): Promise<T> {
    const { workflowId, runId, taskQueue } = workflowInfo();
    const leaseId = `${workflowId}/${runId}/${submission}`;
    const poolWorkflowId = leasePoolWorkflowId(taskQueue);
    try {
      await leaseRequestActivities().requestGenerationLease.executeWithOptions(
        { summary: `ask for a Runway generation lease (submission ${submission})` },
        [{ poolWorkflowId, leaseId, workflowId, runId, leaseTtlMs: options.maxPendingWaitMs + options.maxRunningWaitMs + LEASE_MARGIN_MS }],
      );
      await condition(() => this.granted.has(leaseId));
      return await work({ poolWorkflowId, leaseId });
    } finally {
      await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(poolWorkflowId).signal(releaseLeaseSignal, { leaseId }));
    }
  }
}
