import { CancellationScope, condition, getExternalWorkflowHandle, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { slotPoolWorkflowId, type GenerationOptions } from '../schemas';
import type { DefaultQueueActivities } from '../activities';
import { releaseSlotSignal, slotGrantedSignal } from './slot-pool';

// One signal-with-start RPC: a local activity (one marker event, no workflow task of its own). A repeat
// after a crash is harmless: the pool treats a known lease id as the same request.
const { requestGenerationSlot } = proxyLocalActivities<DefaultQueueActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * Extra lease time beyond the longest a generation may take, for retries and worker restarts. Past it the
 * pool only checks that this run is still open (and renews the lease if so).
 */
const LEASE_MARGIN_MS = 30 * 60_000;

/** The video workflow's side of the durable slot pool: wait for a lease, hold it, give it back. */
export class GenerationSlot {
  private readonly granted = new Set<string>();

  constructor() {
    setHandler(slotGrantedSignal, ({ leaseId }) => void this.granted.add(leaseId));
  }

  /** Holds a slot for the duration of `work`, released whatever happens (failure, cancel). */
  async hold<T>(submission: number, options: GenerationOptions, work: (lease: { poolWorkflowId: string; leaseId: string }) => Promise<T>): Promise<T> {
    const { workflowId, runId, taskQueue } = workflowInfo();
    const leaseId = `${workflowId}/${runId}/${submission}`;
    const poolWorkflowId = slotPoolWorkflowId(taskQueue);
    try {
      await requestGenerationSlot.executeWithOptions({ summary: `ask for a Runway slot (submission ${submission})` }, [
        { poolWorkflowId, leaseId, workflowId, runId, leaseTtlMs: options.maxPendingWaitMs + options.maxRunningWaitMs + LEASE_MARGIN_MS },
      ]);
      await condition(() => this.granted.has(leaseId));
      return await work({ poolWorkflowId, leaseId });
    } finally {
      await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(poolWorkflowId).signal(releaseSlotSignal, { leaseId }));
    }
  }
}
