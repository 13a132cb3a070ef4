/**
 * Durable generation slots: one pool workflow per deployment (task queue) leases Runway's concurrency
 * to video workflows. A lease lives in workflow state, so a remote task whose worker crashed keeps its
 * slot until its workflow releases it, and new submissions wait instead of landing in Runway's silent queue.
 */
export const SLOT_ACQUIRE_SIGNAL = 'acquireGenerationSlot';
export const SLOT_RELEASE_SIGNAL = 'releaseGenerationSlot';
export const SLOT_GRANTED_SIGNAL = 'generationSlotGranted';
export const SLOTS_QUERY = 'generationSlots';
export const SLOT_POOL_WORKFLOW_TYPE = 'GenerationSlotPoolWorkflow';

export interface SlotRequest {
  leaseId: string;
  /** Who gets the grant signal. */
  workflowId: string;
  /** The holder's run: its lease outlives the TTL for as long as this run is open. Without it, the latest run of workflowId. */
  runId?: string;
  /** How often the pool checks that the holder is still alive once the lease is not released. */
  leaseTtlMs: number;
  /** The deployment's Runway cap, as the requesting worker is configured. */
  capacity: number;
}

export interface SlotRelease {
  leaseId: string;
}

export interface SlotGrant {
  leaseId: string;
}

export interface SlotLease {
  leaseId: string;
  workflowId: string;
  runId?: string;
  grantedAt: number;
  /** When the pool next asks Temporal whether the holder's run is still open. */
  expiresAt: number;
  /** Renewal period; absent on leases granted before renewals existed (then expiresAt - grantedAt). */
  ttlMs?: number;
}

export interface SlotPoolState {
  capacity: number;
  holders: SlotLease[];
  waiting: SlotRequest[];
  /** Leases kept past their TTL because their holder's run was still open (cumulative across runs of the pool). */
  renewedLeases?: number;
  /** Leases taken back because their holder's run had closed or did not exist (cumulative). */
  reclaimedLeases?: number;
}

/** Who holds a lease, as the pool asks Temporal about it. */
export interface SlotHolderRef {
  leaseId: string;
  workflowId: string;
  runId?: string;
}

/**
 * 'running': the run is open, the lease stays. 'gone': Temporal answered that the run is closed or does
 * not exist, the only proof of death. 'unknown': no answer (an outage, a timeout), the lease stays.
 */
export type SlotHolderLiveness = 'running' | 'gone' | 'unknown';

export function slotPoolWorkflowId(taskQueue: string): string {
  return `generation-slots--${taskQueue}`;
}
