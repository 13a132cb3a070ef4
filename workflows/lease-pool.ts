// One file on purpose: the lease pool is one workflow whose grant, renewal, reclaim, quota and credit rules
// act on the same state in the same workflow task; split, its invariants would hide across modules.
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setHandler,
  sleep,
  workflowInfo,
  setWorkflowOptions,
} from '@temporalio/workflow';
import type { WorkspaceLimits } from '../schemas';
import { FailureType } from '../schemas/failures';
import { DEFAULT_PRIORITY_AGING_MS } from '../schemas/priority-classes';
import { leaseHolderActivities, leaseNoticeActivities, workspaceLimitActivities } from './activity-stubs';
import { LeaseQueue } from './lease-queue';
import {
  acquireLeaseSignal,
  leaseEstimateSignal,
  leasesQuery,
  refreshLimitsSignal,
  releaseLeaseSignal,
  reservedLeaseId,
  type HeldLease,
  type LeaseHolderLiveness,
  type LeaseNotice,
  type LeasePoolState,
  type LeaseEstimate,
  type LeaseRelease,
  type LeaseRequest,
  type ModelUsage,
} from './messages';
import { versioned } from './versioning';

/** Continue as new well before Temporal's history limits (and its per-run signal limit). */
const MAX_HISTORY_EVENTS = 8_000;

/** A reserved slot its generation never claimed (its start failed, say) goes back after this long. */
const RESERVATION_HOLD_MS = 60_000;

/** A holder whose liveness Temporal could not tell is asked about again this soon (or at its TTL if shorter). */
const RECHECK_UNKNOWN_MS = 60_000;

/** A read of the workspace that failed is tried again this soon (no grant is made before the first one answers). */
const LIMITS_RETRY_MS = 10_000;

/** Notices whose delivery failed (Temporal unreachable from the worker, say) are sent again this soon. */
const NOTICE_RETRY_MS = 5_000;

/** While a model waits for its daily quota, the workspace is read at least this often to learn that room has freed up. */
const QUOTA_RECHECK_MS = 60_000;

/**
 * A granted lease's POST reaches Runway's daily count within this: a read that started sooner after the
 * model's last grant may not count it yet, so it can raise the pool's count but never lower it.
 */
const POST_SETTLE_MS = 15_000;

type WaitingRequest = LeaseRequest & Required<Pick<LeaseRequest, 'priority' | 'workload'>> & { quotaWaitSent?: boolean };

// Auto-upgrade: the pool never ends and is the one authority over the workspace's caps for every version at once, so it
// moves to each new current version and must replay there: a change to it goes behind patched() (docs/upgrades.md).
setWorkflowOptions(versioned('AUTO_UPGRADE'), GenerationLeasePoolWorkflow);

/**
 * The workspace's Runway concurrency as a durable semaphore per model: reads the workspace's limits itself
 * (the one authority for every worker replica), grants leases up to each model's cap by priority class,
 * round-robin by workload within a class (workflows/lease-queue.ts), holds a model whose daily quota is used
 * up until the workspace shows room again, refuses what the workspace cannot run or its 30-day spend cap
 * cannot pay. Once a lease passes its TTL it asks Temporal whether the holder's run is still
 * open, renews it if so and reclaims it only if the run is provably closed or gone. Runs forever by
 * continuing as new.
 */
export async function GenerationLeasePoolWorkflow(initial: LeasePoolState): Promise<void> {
  const pool = new LeasePool(initial);
  let refreshRequested = false;
  setHandler(acquireLeaseSignal, (request) => pool.enqueue(request));
  setHandler(releaseLeaseSignal, (release) => pool.release(release));
  setHandler(leaseEstimateSignal, (estimate) => pool.correct(estimate));
  setHandler(leasesQuery, () => pool.state());
  setHandler(refreshLimitsSignal, () => {
    refreshRequested = true;
  });

  const notices = new Notices(pool);
  const wake = new WakeTimer();
  // Notices not yet delivered are not carried over: the run continues as new only once they have landed.
  while (!shouldContinueAsNew() || notices.pending()) {
    if (refreshRequested || pool.limitsDue(Date.now())) {
      refreshRequested = false;
      // Limits the pool already holds grant at once; the read that refreshes them follows in the same loop.
      if (pool.hasLimits() && !notices.pending()) {
        notices.add(pool.decide(Date.now()));
        if (notices.pending()) await notices.deliver();
      }
      await readLimits(pool);
    }
    pool.dropUnclaimed(Date.now());
    const expired = pool.expired(Date.now());
    if (expired.length > 0) pool.settleExpired(expired, await askHolders(expired));
    // Every decision of this workflow task goes out in one delivery, within the task: a released lease is
    // handed on in the same workflow task that learns of the release.
    notices.add(pool.decide(Date.now()));
    if (notices.pending() && !(await notices.deliver())) wake.by(Date.now() + NOTICE_RETRY_MS);
    const wakeAt = pool.nextWake();
    if (wakeAt !== undefined) wake.by(wakeAt);
    // Due to continue as new but with notices undelivered: wait for the retry's timer, not spin.
    await condition(() => pool.hasWork() || refreshRequested || (shouldContinueAsNew() && !notices.pending()) || wake.fired);
    wake.fired = false;
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof GenerationLeasePoolWorkflow>(pool.state());
}

/**
 * The pool's one timer: started only when the next wake comes sooner than the timer already running. A
 * timer per loop (a condition with a timeout) cost two history events per lease; one that fires early
 * only wakes the loop to find nothing due and set the next.
 */
class WakeTimer {
  fired = false;
  private current: { at: number; scope: CancellationScope } | undefined;

  by(at: number): void {
    if (this.current && this.current.at <= at) return;
    this.current?.scope.cancel();
    const entry = { at, scope: new CancellationScope() };
    this.current = entry;
    void entry.scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => {
          if (this.current !== entry) return;
          this.current = undefined;
          this.fired = true;
        },
        () => undefined,
      );
  }
}

async function readLimits(pool: LeasePool): Promise<void> {
  const startedAt = Date.now();
  const grantedBefore = pool.grantCounts();
  const monthlyGrantedBefore = pool.monthlyGranted();
  try {
    pool.applyLimits(await workspaceLimitActivities().readWorkspaceLimits(), startedAt, grantedBefore, monthlyGrantedBefore);
  } catch (error) {
    log.warn('could not read the Runway workspace limits; the last ones stay', { error: String(error) });
    pool.limitsReadFailed(Date.now());
  }
}

/** Grants, refusals and quota waits decided but not yet delivered to their requesters. */
class Notices {
  private queue: LeaseNotice[] = [];

  constructor(private readonly pool: LeasePool) {}

  add(decisions: Decisions): void {
    // A reserved slot is granted to nobody yet: its generation's own request claims it.
    for (const lease of decisions.granted.filter((granted) => !granted.reservation))
      this.queue.push({ kind: 'granted', workflowId: lease.workflowId, grant: { leaseId: lease.leaseId } });
    for (const { request, type, message } of decisions.refused)
      this.queue.push({ kind: 'refused', workflowId: request.workflowId, refusal: { leaseId: request.leaseId, type, message } });
    for (const { request, usage, maxDaily } of decisions.quotaWaits)
      this.queue.push({
        kind: 'quotaWait',
        workflowId: request.workflowId,
        wait: { leaseId: request.leaseId, model: request.model, dailyGenerations: usage.dailyGenerations, maxDaily },
      });
  }

  pending(): boolean {
    return this.queue.length > 0;
  }

  /**
   * Deliver everything pending; false when the delivery failed (they stay, for the next try). A requester
   * that is gone (completed, terminated) gives its lease, or its place in the queue, to the next one.
   */
  async deliver(): Promise<boolean> {
    const batch = this.queue;
    this.queue = [];
    try {
      const { gone } = await leaseNoticeActivities().deliverLeaseNotices(batch);
      for (const leaseId of gone) {
        log.warn('generation lease holder is gone; lease reclaimed', { leaseId });
        this.pool.release({ leaseId });
      }
      return true;
    } catch (error) {
      log.warn('could not deliver lease notices; trying again shortly', { notices: batch.length, error: String(error) });
      this.queue = [...batch, ...this.queue];
      return false;
    }
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

interface Decisions {
  granted: HeldLease[];
  refused: Array<{ request: LeaseRequest; type: string; message: string }>;
  quotaWaits: Array<{ request: LeaseRequest; usage: ModelUsage; maxDaily: number | null }>;
}

class LeasePool {
  private limits: WorkspaceLimits | undefined;
  private limitsReadAt: number | undefined;
  private limitsFailedAt: number | undefined;
  private readonly usage: Record<string, ModelUsage>;
  private creditWatch: { balance: number } | undefined;
  private monthly: { spent: number; granted: number; lastGrantAt?: number } | undefined;
  private readonly holders = new Map<string, HeldLease>();
  private readonly queue: LeaseQueue<WaitingRequest>;
  private dirty = true;
  private renewed: number;
  private reclaimed: number;

  constructor(initial: LeasePoolState) {
    this.limits = initial.limits;
    this.limitsReadAt = initial.limitsReadAt;
    this.usage = { ...(initial.usage ?? {}) };
    this.creditWatch = initial.creditWatch;
    this.renewed = initial.renewedLeases ?? 0;
    this.reclaimed = initial.reclaimedLeases ?? 0;
    this.monthly = initial.monthly;
    for (const lease of initial.holders) this.holders.set(lease.leaseId, lease);
    this.queue = new LeaseQueue(initial.limits?.priorityAgingMs ?? DEFAULT_PRIORITY_AGING_MS, {
      waiting: initial.waiting.map(classified),
      classClocks: initial.classClocks ?? {},
    });
  }

  enqueue(request: LeaseRequest): void {
    this.dirty = true;
    if (!request.reservation && this.claimReservation(request)) return;
    const held = this.holders.get(request.leaseId);
    // A repeated request (an activity retry) for a lease already granted: grant it again, first.
    if (held) {
      this.holders.delete(request.leaseId);
      this.queue.addFirst(classified(request), Date.now());
    } else this.queue.add(classified(request), Date.now());
  }

  /**
   * A generation's request takes the slot reserved for it: granted at once if the reservation already holds one (no
   * second count against quotas and credits), else its place in line.
   */
  private claimReservation(request: LeaseRequest): boolean {
    const reservedId = reservedLeaseId(request.workflowId);
    const held = this.holders.get(reservedId);
    if (held) {
      this.holders.delete(reservedId);
      const now = Date.now();
      const lease: HeldLease = {
        ...held,
        leaseId: request.leaseId,
        runId: request.runId,
        grantedAt: now,
        expiresAt: now + request.leaseTtlMs,
        ttlMs: request.leaseTtlMs,
        credits: request.credits,
        reservation: undefined,
        grantUnsent: true,
      };
      this.holders.set(lease.leaseId, lease);
      return true;
    }
    if (!this.queue.has(reservedId)) return false;
    this.queue.replace(reservedId, classified(request));
    return true;
  }

  /** Claimed reservations whose grant has not gone out yet (they are holders, so a continue-as-new carries them). */
  private claimedGrants(): HeldLease[] {
    const unsent = [...this.holders.values()].filter((lease) => lease.grantUnsent);
    for (const lease of unsent) {
      const { grantUnsent: _sent, ...sent } = lease;
      this.holders.set(lease.leaseId, sent);
    }
    return unsent;
  }

  /** Reserved slots past their hold, never claimed, go back. */
  dropUnclaimed(now: number): void {
    for (const lease of [...this.holders.values()])
      if (lease.reservation && lease.expiresAt <= now) {
        log.warn('a reserved generation lease was never claimed; it goes back', { leaseId: lease.leaseId });
        this.release({ leaseId: lease.leaseId });
      }
  }

  /**
   * Runway's create answer named the task's estimatedCost: the lease's reservation against the 30-day
   * spend cap (and a watched balance) becomes that, from the list price it was granted at.
   */
  correct({ leaseId, credits }: LeaseEstimate): void {
    const held = this.holders.get(leaseId);
    if (!held) return;
    const delta = credits - (held.credits ?? credits);
    if (delta === 0) return;
    this.dirty = true;
    this.holders.set(leaseId, { ...held, credits });
    if (this.monthly) this.monthly.spent += delta;
    if (this.creditWatch) this.creditWatch.balance -= delta;
  }

  hasLimits(): boolean {
    return this.limits !== undefined;
  }

  release({ leaseId, dailyLimitReached, outOfCredits }: LeaseRelease): void {
    this.dirty = true;
    const held = this.holders.get(leaseId);
    if (held && dailyLimitReached) {
      const usage = this.usageOf(held.model);
      usage.quotaReached = true;
      const maxDaily = this.limits?.models[held.model]?.maxDaily;
      if (maxDaily !== undefined && maxDaily !== null) usage.dailyGenerations = Math.max(usage.dailyGenerations, maxDaily);
      log.warn('Runway answered the daily generation limit; the model waits for its quota', { model: held.model });
    }
    if (outOfCredits) {
      this.creditWatch = { balance: 0 };
      log.warn('Runway refused a create for want of credits; requests the balance cannot pay are refused');
    }
    this.holders.delete(leaseId);
    this.queue.remove(leaseId);
  }

  /** Read the workspace now: never read, a failed read due again, or stale while there is work. */
  limitsDue(now: number): boolean {
    const next = this.nextRead();
    return next !== undefined && now >= next;
  }

  applyLimits(limits: WorkspaceLimits, readStartedAt: number, grantedBefore: Record<string, number>, monthlyGrantedBefore = 0): void {
    this.dirty = true;
    this.limits = limits;
    this.queue.agingMs = limits.priorityAgingMs ?? DEFAULT_PRIORITY_AGING_MS;
    this.applyMonthly(limits, readStartedAt, monthlyGrantedBefore);
    this.limitsReadAt = readStartedAt;
    this.limitsFailedAt = undefined;
    for (const [model, modelLimits] of Object.entries(limits.models)) {
      const usage = this.usageOf(model);
      const grantedSince = (usage.granted ?? 0) - (grantedBefore[model] ?? 0);
      const counted = modelLimits.dailyGenerations + grantedSince;
      const settled = usage.lastGrantAt === undefined || readStartedAt - usage.lastGrantAt >= POST_SETTLE_MS;
      usage.dailyGenerations = settled ? counted : Math.max(usage.dailyGenerations, counted);
      const over = modelLimits.maxDaily !== null && usage.dailyGenerations >= modelLimits.maxDaily;
      // A daily-limit answer from Runway outweighs a count that may not include the latest creates yet.
      usage.quotaReached = settled ? over : usage.quotaReached || over;
    }
    if (this.creditWatch) {
      let waitingCredits = 0;
      for (const request of this.queue.all()) waitingCredits += request.credits;
      this.creditWatch = limits.creditBalance >= waitingCredits ? undefined : { balance: limits.creditBalance };
    }
  }

  /**
   * The 30-day spend as read, plus what was granted while the read ran; a read that started within the
   * settle time of a grant may not count that grant's POST yet, so it can raise the count but not lower it.
   */
  private applyMonthly(limits: WorkspaceLimits, readStartedAt: number, grantedBefore: number): void {
    if (!limits.monthly) {
      this.monthly = undefined;
      return;
    }
    const previous = this.monthly ?? { spent: 0, granted: 0 };
    const counted = limits.monthly.spent + (previous.granted - grantedBefore);
    const settled = previous.lastGrantAt === undefined || readStartedAt - previous.lastGrantAt >= POST_SETTLE_MS;
    this.monthly = { ...previous, spent: settled ? counted : Math.max(previous.spent, counted) };
  }

  monthlyGranted(): number {
    return this.monthly?.granted ?? 0;
  }

  limitsReadFailed(now: number): void {
    this.limitsFailedAt = now;
  }

  grantCounts(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.usage).map(([model, usage]) => [model, usage.granted ?? 0]));
  }

  expired(now: number): HeldLease[] {
    return [...this.holders.values()].filter((lease) => lease.expiresAt <= now && !lease.reservation);
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
        this.release({ leaseId: lease.leaseId });
      } else if (answer === 'running') {
        this.renewed += 1;
        this.holders.set(lease.leaseId, { ...lease, expiresAt: now + ttlMs });
      } else {
        this.holders.set(lease.leaseId, { ...lease, expiresAt: now + Math.min(ttlMs, RECHECK_UNKNOWN_MS) });
      }
    }
  }

  /**
   * Refuse what the workspace can never run; tell requests that start waiting for a quota so; grant each
   * model's free slots in the queue's order (priority class, then round-robin by workload). Nothing before
   * the workspace has been read: its caps are the only ones.
   */
  decide(now: number): Decisions {
    this.dirty = false;
    const decisions: Decisions = { granted: this.claimedGrants(), refused: [], quotaWaits: [] };
    const limits = this.limits;
    if (!limits) return decisions;
    const live = new Map<string, number>();
    for (const lease of this.holders.values()) live.set(lease.model, (live.get(lease.model) ?? 0) + 1);
    for (const model of this.queue.waitingModels()) {
      const modelLimits = limits.models[model];
      if (!modelLimits) {
        const available = Object.keys(limits.models).sort().join(', ');
        for (const request of [...this.queue.requestsOf(model)]) {
          this.queue.remove(request.leaseId);
          decisions.refused.push({
            request,
            type: FailureType.ModelUnavailable,
            message: `the Runway workspace has no ${model}; it has: ${available}`,
          });
        }
        continue;
      }
      this.refuseUnpayable(model, decisions);
      const usage = this.usageOf(model);
      if (usage.quotaReached || (modelLimits.maxDaily !== null && usage.dailyGenerations >= modelLimits.maxDaily)) {
        usage.quotaReached = true;
        for (const request of this.queue.requestsOf(model)) {
          if (request.quotaWaitSent) continue;
          request.quotaWaitSent = true;
          decisions.quotaWaits.push({ request, usage: { ...usage }, maxDaily: modelLimits.maxDaily });
        }
        continue;
      }
      let liveNow = live.get(model) ?? 0;
      while (modelLimits.maxConcurrent === null || liveNow < modelLimits.maxConcurrent) {
        const request = this.queue.take(model, now);
        if (!request) break;
        // Each grant spends from the balance and the 30-day room: the next one is checked against what is left.
        const refusal = this.paymentRefusal(request);
        if (refusal) {
          decisions.refused.push({ request, ...refusal });
          continue;
        }
        liveNow += 1;
        decisions.granted.push(this.grant(request, usage, now));
      }
    }
    return decisions;
  }

  /** Refuse a model's waiting requests that a watched balance or the 30-day spend cap cannot pay. */
  private refuseUnpayable(model: string, decisions: Decisions): void {
    if (!this.creditWatch && !this.monthly) return;
    for (const request of [...this.queue.requestsOf(model)]) {
      const refusal = this.paymentRefusal(request);
      if (!refusal) continue;
      this.queue.remove(request.leaseId);
      decisions.refused.push({ request, ...refusal });
    }
  }

  private grant(request: WaitingRequest, usage: ModelUsage, now: number): HeldLease {
    usage.dailyGenerations += 1;
    usage.granted = (usage.granted ?? 0) + 1;
    usage.lastGrantAt = now;
    if (this.creditWatch) this.creditWatch.balance -= request.credits;
    if (this.monthly) {
      this.monthly.spent += request.credits;
      this.monthly.granted += request.credits;
      this.monthly.lastGrantAt = now;
    }
    const lease: HeldLease = {
      leaseId: request.leaseId,
      workflowId: request.workflowId,
      runId: request.runId,
      model: request.model,
      grantedAt: now,
      expiresAt: now + (request.reservation ? RESERVATION_HOLD_MS : request.leaseTtlMs),
      ttlMs: request.leaseTtlMs,
      credits: request.credits,
      priority: request.priority,
      workload: request.workload,
      ...(request.reservation ? { reservation: true } : {}),
    };
    this.holders.set(lease.leaseId, lease);
    return lease;
  }

  hasWork(): boolean {
    return this.dirty;
  }

  /** The next lease expiry or workspace read, whichever comes first. */
  nextWake(): number | undefined {
    let next = this.nextRead();
    for (const lease of this.holders.values()) next = next === undefined ? lease.expiresAt : Math.min(next, lease.expiresAt);
    return next;
  }

  state(): LeasePoolState {
    return {
      ...(this.limits ? { limits: this.limits } : {}),
      ...(this.limitsReadAt !== undefined ? { limitsReadAt: this.limitsReadAt } : {}),
      usage: Object.fromEntries(Object.entries(this.usage).map(([model, usage]) => [model, { ...usage }])),
      ...(this.creditWatch ? { creditWatch: { ...this.creditWatch } } : {}),
      ...(this.monthly ? { monthly: { ...this.monthly } } : {}),
      holders: [...this.holders.values()],
      ...this.queue.state(),
      renewedLeases: this.renewed,
      reclaimedLeases: this.reclaimed,
    };
  }

  private paymentRefusal(request: LeaseRequest): { type: string; message: string } | undefined {
    if (this.creditWatch && request.credits > this.creditWatch.balance) {
      return {
        type: FailureType.InsufficientCredits,
        message: `Runway refused a create for want of credits; this submission (${request.credits} credits at list price) is more than the ${this.creditWatch.balance} left, so it is not sent. Top up the workspace and run it again.`,
      };
    }
    const cap = this.limits?.monthly?.cap;
    if (this.monthly && cap !== undefined && this.monthly.spent + request.credits > cap) {
      // Refused, not held: room in a rolling 30-day window comes back only as spend ages out of it, days or
      // weeks away, and a generation waiting that long would hold its workload open for nothing.
      return {
        type: FailureType.MonthlySpendCapReached,
        message: `this submission (${request.credits} credits) would take the workspace's spend in the past 30 days to ${this.monthly.spent + request.credits}, past its maxMonthlyCreditSpend of ${cap}; it is not sent. Room comes back as spend ages out of the 30-day window, or with a higher tier.`,
      };
    }
    return undefined;
  }

  private usageOf(model: string): ModelUsage {
    return (this.usage[model] ??= { dailyGenerations: 0, quotaReached: false });
  }

  /** When the workspace is due to be read: at once before the first read, then while there is work. */
  private nextRead(): number | undefined {
    const busy = this.holders.size > 0 || this.queue.size > 0;
    if (!busy) return undefined;
    if (this.limitsFailedAt !== undefined) return this.limitsFailedAt + LIMITS_RETRY_MS;
    if (this.limits === undefined || this.limitsReadAt === undefined) return 0;
    let waitingForQuota = false;
    for (const request of this.queue.all()) if (request.quotaWaitSent) waitingForQuota = true;
    const interval = waitingForQuota ? Math.min(this.limits.refreshMs, QUOTA_RECHECK_MS) : this.limits.refreshMs;
    return this.limitsReadAt + interval;
  }
}

/** A request as the queue files it: one from before priorities (carried over by continue-as-new) is `normal`, its own workload. */
function classified(request: LeaseRequest): WaitingRequest {
  return { ...request, priority: request.priority ?? 'normal', workload: request.workload ?? request.workflowId };
}
