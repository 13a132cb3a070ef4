import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DefaultQueueActivities } from '../activities';
import {
  SLOTS_QUERY,
  SLOT_ACQUIRE_SIGNAL,
  SLOT_GRANTED_SIGNAL,
  SLOT_RELEASE_SIGNAL,
  type SlotGrant,
  type SlotHolderLiveness,
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

/** A holder whose liveness Temporal could not tell is asked about again this soon (or at its TTL if shorter). */
const RECHECK_UNKNOWN_MS = 60_000;

/** Pool runs that reclaimed expired leases without asking replay that way; later ones ask first. */
const HOLDER_CHECK_PATCH = 'slot-lease-holder-check';

// One describe per expired holder in one local activity (one marker event). A failure here is no answer:
// the leases stay and are asked about again.
const { checkSlotHolders } = proxyLocalActivities<DefaultQueueActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3 },
});

/**
 * The deployment's Runway concurrency as a durable semaphore: grants leases first come, first served,
 * up to the capacity; once a lease passes its TTL asks Temporal whether the holder's run is still open,
 * renews it if so and reclaims it only if the run is provably closed or gone; runs forever by continuing as new.
 */
export async function GenerationSlotPoolWorkflow(initial: SlotPoolState): Promise<void> {
  const pool = new SlotPool(initial);
  setHandler(acquireSlotSignal, (request) => pool.enqueue(request));
  setHandler(releaseSlotSignal, ({ leaseId }) => pool.release(leaseId));
  setHandler(slotsQuery, () => pool.state());

  const notifications = new GrantNotifications(pool);
  while (!shouldContinueAsNew()) {
    const expired = pool.expired(Date.now());
    if (expired.length > 0) {
      if (patched(HOLDER_CHECK_PATCH)) pool.settleExpired(expired, await askHolders(expired));
      else pool.reclaimExpired(Date.now());
    }
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

async function askHolders(leases: SlotLease[]): Promise<Record<string, SlotHolderLiveness>> {
  try {
    return await checkSlotHolders(leases.map(({ leaseId, workflowId, runId }) => ({ leaseId, workflowId, ...(runId ? { runId } : {}) })));
  } catch (error) {
    log.warn('could not check generation slot holders; their leases stay', { leases: leases.length, error: String(error) });
    return {};
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
  private renewed: number;
  private reclaimed: number;

  constructor(initial: SlotPoolState) {
    this.capacity = initial.capacity;
    this.renewed = initial.renewedLeases ?? 0;
    this.reclaimed = initial.reclaimedLeases ?? 0;
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

  expired(now: number): SlotLease[] {
    return [...this.holders.values()].filter((lease) => lease.expiresAt <= now);
  }

  /** Apply the holders' liveness: renew the live and the unknown, reclaim only the provably gone. */
  settleExpired(leases: SlotLease[], liveness: Record<string, SlotHolderLiveness>): void {
    const now = Date.now();
    this.dirty = true;
    for (const lease of leases) {
      // Released or granted anew while Temporal was being asked: the answer is about a lease that no longer exists.
      if (this.holders.get(lease.leaseId) !== lease) continue;
      const ttlMs = lease.ttlMs ?? Math.max(1, lease.expiresAt - lease.grantedAt);
      const answer = liveness[lease.leaseId] ?? 'unknown';
      if (answer === 'gone') {
        log.warn('generation slot holder has ended; lease reclaimed', { leaseId: lease.leaseId, workflowId: lease.workflowId });
        this.reclaimed += 1;
        this.release(lease.leaseId);
      } else if (answer === 'running') {
        this.renewed += 1;
        this.holders.set(lease.leaseId, { ...lease, ttlMs, expiresAt: now + ttlMs });
      } else {
        this.holders.set(lease.leaseId, { ...lease, ttlMs, expiresAt: now + Math.min(ttlMs, RECHECK_UNKNOWN_MS) });
      }
    }
  }

  grantWhileFree(now: number): SlotLease[] {
    this.dirty = false;
    const granted: SlotLease[] = [];
    while (this.holders.size < this.capacity && this.waiting.length > 0) {
      const request = this.waiting.shift()!;
      const lease: SlotLease = {
        leaseId: request.leaseId,
        workflowId: request.workflowId,
        ...(request.runId ? { runId: request.runId } : {}),
        grantedAt: now,
        expiresAt: now + request.leaseTtlMs,
        ttlMs: request.leaseTtlMs,
      };
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
    return { capacity: this.capacity, holders: [...this.holders.values()], waiting: [...this.waiting], renewedLeases: this.renewed, reclaimedLeases: this.reclaimed };
  }
}
