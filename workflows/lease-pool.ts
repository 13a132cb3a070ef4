import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { leaseHolderActivities } from './activity-stubs';
import {
  acquireLeaseSignal,
  leaseGrantedSignal,
  leasesQuery,
  releaseLeaseSignal,
  type HeldLease,
  type LeaseHolderLiveness,
  type LeasePoolState,
  type LeaseRequest,
} from './messages';

/** Continue as new well before Temporal's history limits (and its per-run signal limit). */
const MAX_HISTORY_EVENTS = 8_000;

/** A holder whose liveness Temporal could not tell is asked about again this soon (or at its TTL if shorter). */
const RECHECK_UNKNOWN_MS = 60_000;

/**
 * The deployment's Runway concurrency as a durable semaphore: grants leases first come, first served,
 * up to the capacity; once a lease passes its TTL asks Temporal whether the holder's run is still open,
 * renews it if so and reclaims it only if the run is provably closed or gone; runs forever by continuing as new.
 */
export async function GenerationLeasePoolWorkflow(initial: LeasePoolState): Promise<void> {
  const pool = new LeasePool(initial);
  setHandler(acquireLeaseSignal, (request) => pool.enqueue(request));
  setHandler(releaseLeaseSignal, ({ leaseId }) => pool.release(leaseId));
  setHandler(leasesQuery, () => pool.state());

  const notifications = new GrantNotifications(pool);
  while (!shouldContinueAsNew()) {
    const expired = pool.expired(Date.now());
    if (expired.length > 0) pool.settleExpired(expired, await askHolders(expired));
    // Not awaited: a grant waits for no earlier grant's delivery, so a released lease is handed on in
    // the same workflow task that learns of the release (a failed delivery releases the lease).
    for (const lease of pool.grantWhileFree(Date.now())) notifications.send(lease);
    const nextExpiry = pool.nextExpiry();
    const woken = () => pool.hasWork() || shouldContinueAsNew();
    if (nextExpiry === undefined) await condition(woken);
    else await condition(woken, Math.max(1, nextExpiry - Date.now()));
  }
  await condition(() => allHandlersFinished() && notifications.settled());
  await continueAsNew<typeof GenerationLeasePoolWorkflow>(pool.state());
}

/** Grant signals in flight; the run continues as new only once every one of them has landed or failed. */
class GrantNotifications {
  private inFlight = 0;

  constructor(private readonly pool: LeasePool) {}

  send(lease: HeldLease): void {
    this.inFlight += 1;
    void notifyHolder(this.pool, lease).finally(() => {
      this.inFlight -= 1;
    });
  }

  settled(): boolean {
    return this.inFlight === 0;
  }
}

async function askHolders(leases: HeldLease[]): Promise<Record<string, LeaseHolderLiveness>> {
  try {
    return await leaseHolderActivities().checkLeaseHolders(
      leases.map(({ leaseId, workflowId, runId }) => ({ leaseId, workflowId, runId })),
    );
  } catch (error) {
    log.warn('could not check generation lease holders; their leases stay', { leases: leases.length, error: String(error) });
    return {};
  }
}

function shouldContinueAsNew(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS;
}

async function notifyHolder(pool: LeasePool, lease: HeldLease): Promise<void> {
  try {
    await getExternalWorkflowHandle(lease.workflowId).signal(leaseGrantedSignal, { leaseId: lease.leaseId });
  } catch (error) {
    // The requester is gone (completed, terminated): its lease goes to the next one.
    log.warn('generation lease holder is gone; lease reclaimed', {
      leaseId: lease.leaseId,
      workflowId: lease.workflowId,
      error: String(error),
    });
    pool.release(lease.leaseId);
  }
}

class LeasePool {
  private capacity: number;
  private readonly holders = new Map<string, HeldLease>();
  private readonly waiting: LeaseRequest[];
  private dirty = true;
  private renewed: number;
  private reclaimed: number;

  constructor(initial: LeasePoolState) {
    this.capacity = initial.capacity;
    this.renewed = initial.renewedLeases ?? 0;
    this.reclaimed = initial.reclaimedLeases ?? 0;
    for (const lease of initial.holders) this.holders.set(lease.leaseId, lease);
    this.waiting = [...initial.waiting];
  }

  enqueue(request: LeaseRequest): void {
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

  expired(now: number): HeldLease[] {
    return [...this.holders.values()].filter((lease) => lease.expiresAt <= now);
  }

  /** Apply the holders' liveness: renew the live and the unknown, reclaim only the provably gone. */
  settleExpired(leases: HeldLease[], liveness: Record<string, LeaseHolderLiveness>): void {
    const now = Date.now();
    this.dirty = true;
    for (const lease of leases) {
      // Released or granted anew while Temporal was being asked: the answer is about a lease that no longer exists.
      if (this.holders.get(lease.leaseId) !== lease) continue;
      const { ttlMs } = lease;
      const answer = liveness[lease.leaseId] ?? 'unknown';
      if (answer === 'gone') {
        log.warn('generation lease holder has ended; lease reclaimed', { leaseId: lease.leaseId, workflowId: lease.workflowId });
        this.reclaimed += 1;
        this.release(lease.leaseId);
      } else if (answer === 'running') {
        this.renewed += 1;
        this.holders.set(lease.leaseId, { ...lease, expiresAt: now + ttlMs });
      } else {
        this.holders.set(lease.leaseId, { ...lease, expiresAt: now + Math.min(ttlMs, RECHECK_UNKNOWN_MS) });
      }
    }
  }

  grantWhileFree(now: number): HeldLease[] {
    this.dirty = false;
    const granted: HeldLease[] = [];
    while (this.holders.size < this.capacity && this.waiting.length > 0) {
      const request = this.waiting.shift()!;
      const lease: HeldLease = {
        leaseId: request.leaseId,
        workflowId: request.workflowId,
        runId: request.runId,
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

  state(): LeasePoolState {
    return {
      capacity: this.capacity,
      holders: [...this.holders.values()],
      waiting: [...this.waiting],
      renewedLeases: this.renewed,
      reclaimedLeases: this.reclaimed,
    };
  }
}
