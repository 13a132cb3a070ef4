import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  SLOTS_QUERY,
  SLOT_ACQUIRE_SIGNAL,
  SLOT_GRANTED_SIGNAL,
  SLOT_RELEASE_SIGNAL,
  type SlotGrant,
  type SlotLease,
  type SlotPoolState,
  type SlotRelease,
  type SlotRequest,
} from '../schemas';

export const acquireSlotSignal = defineSignal<[SlotRequest]>(SLOT_ACQUIRE_SIGNAL);
export const releaseSlotSignal = defineSignal<[SlotRelease]>(SLOT_RELEASE_SIGNAL);
export const slotGrantedSignal = defineSignal<[SlotGrant]>(SLOT_GRANTED_SIGNAL);
export const slotsQuery = defineQuery<SlotPoolState>(SLOTS_QUERY);

/** Continue as new well before Temporal's history limits (and its per-run signal limit). */
const MAX_HISTORY_EVENTS = 8_000;

/**
 * The deployment's Runway concurrency as a durable semaphore: grants leases first come, first served,
 * up to the capacity; reclaims leases past their TTL; runs forever by continuing as new.
 */
export async function GenerationSlotPoolWorkflow(initial: SlotPoolState): Promise<void> {
  const pool = new SlotPool(initial);
  setHandler(acquireSlotSignal, (request) => pool.enqueue(request));
  setHandler(releaseSlotSignal, ({ leaseId }) => pool.release(leaseId));
  setHandler(slotsQuery, () => pool.state());

  const notifications = new GrantNotifications(pool);
  while (!shouldContinueAsNew()) {
    pool.reclaimExpired(Date.now());
    // Not awaited: a grant waits for no earlier grant's delivery, so a released slot is handed on in
    // the same workflow task that learns of the release (a failed delivery releases the lease).
    for (const lease of pool.grantWhileFree(Date.now())) notifications.send(lease);
    const nextExpiry = pool.nextExpiry();
    const woken = () => pool.hasWork() || shouldContinueAsNew();
    if (nextExpiry === undefined) await condition(woken);
    else await condition(woken, Math.max(1, nextExpiry - Date.now()));
  }
  await condition(() => allHandlersFinished() && notifications.settled());
  await continueAsNew<typeof GenerationSlotPoolWorkflow>(pool.state());
}

/** Grant signals in flight; the run continues as new only once every one of them has landed or failed. */
class GrantNotifications {
  private inFlight = 0;

  constructor(private readonly pool: SlotPool) {}

  send(lease: SlotLease): void {
    this.inFlight += 1;
    void notifyHolder(this.pool, lease).finally(() => {
      this.inFlight -= 1;
    });
  }

  settled(): boolean {
    return this.inFlight === 0;
  }
}

function shouldContinueAsNew(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS;
}

async function notifyHolder(pool: SlotPool, lease: SlotLease): Promise<void> {
  try {
    await getExternalWorkflowHandle(lease.workflowId).signal(slotGrantedSignal, { leaseId: lease.leaseId });
  } catch (error) {
    // The requester is gone (completed, terminated): its slot goes to the next one.
    log.warn('generation slot holder is gone; slot reclaimed', { leaseId: lease.leaseId, workflowId: lease.workflowId, error: String(error) });
    pool.release(lease.leaseId);
  }
}

class SlotPool {
  private capacity: number;
  private readonly holders = new Map<string, SlotLease>();
  private readonly waiting: SlotRequest[];
  private dirty = true;

  constructor(initial: SlotPoolState) {
    this.capacity = initial.capacity;
    for (const lease of initial.holders) this.holders.set(lease.leaseId, lease);
    this.waiting = [...initial.waiting];
  }

  enqueue(request: SlotRequest): void {
    this.capacity = request.capacity;
    this.dirty = true;
    const held = this.holders.get(request.leaseId);
    // A repeated request (an activity retry) for a lease already granted: grant it again.
    if (held) this.holders.delete(request.leaseId);
    if (held) this.waiting.unshift(request);
    else if (!this.waiting.some((waiting) => waiting.leaseId === request.leaseId)) this.waiting.push(request);
  }

  release(leaseId: string): void {
    this.dirty = true;
    this.holders.delete(leaseId);
    const index = this.waiting.findIndex((waiting) => waiting.leaseId === leaseId);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  reclaimExpired(now: number): void {
    for (const lease of this.holders.values()) {
      if (lease.expiresAt > now) continue;
      log.warn('generation slot lease expired; reclaimed', { leaseId: lease.leaseId, workflowId: lease.workflowId });
      this.release(lease.leaseId);
    }
  }

  grantWhileFree(now: number): SlotLease[] {
    this.dirty = false;
    const granted: SlotLease[] = [];
    while (this.holders.size < this.capacity && this.waiting.length > 0) {
      const request = this.waiting.shift()!;
      const lease: SlotLease = { leaseId: request.leaseId, workflowId: request.workflowId, grantedAt: now, expiresAt: now + request.leaseTtlMs };
      this.holders.set(lease.leaseId, lease);
      granted.push(lease);
    }
    return granted;
  }

  hasWork(): boolean {
    return this.dirty;
  }

  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const lease of this.holders.values()) next = next === undefined ? lease.expiresAt : Math.min(next, lease.expiresAt);
    return next;
  }

  state(): SlotPoolState {
    return { capacity: this.capacity, holders: [...this.holders.values()], waiting: [...this.waiting] };
  }
}
