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
  /** A lease not released by then is reclaimed (its workflow was terminated or lost). */
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
  grantedAt: number;
  expiresAt: number;
}

export interface SlotPoolState {
  capacity: number;
  holders: SlotLease[];
  waiting: SlotRequest[];
}

export function slotPoolWorkflowId(taskQueue: string): string {
  return `generation-slots--${taskQueue}`;
}
