import type { TaskStatus } from './contract';

/** A task is live (it counts toward what the workspace has in flight) from creation until it ends. */
const LIVE: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['PENDING', 'THROTTLED', 'RUNNING']);

export interface Tally {
  overall: number;
  byModel: Record<string, number>;
}

function emptyTally(): Tally {
  return { overall: 0, byModel: {} };
}

function bump(tally: Tally, model: string, delta: number): void {
  tally.overall += delta;
  tally.byModel[model] = (tally.byModel[model] ?? 0) + delta;
}

/** Counters the admin surface reports; the scheduler and the routes feed them. */
export class SimStats {
  readonly submissions = { total: 0, byModel: {} as Record<string, number>, byEndpoint: {} as Record<string, number> };
  readonly createsByPrompt: Record<string, number> = {};
  readonly requests = {
    creates: 0,
    gets: 0,
    deletes: 0,
    organization: 0,
    rejectedByStatus: {} as Record<string, number>,
    rejectedByRoute: {} as Record<string, number>,
  };
  readonly credits = { charged: 0, refunded: 0 };
  readonly downloads = { total: 0, ranged: 0, truncated: 0, head: 0, forbidden: 0 };
  readonly maxConcurrentRunning = emptyTally();
  readonly currentRunning = emptyTally();
  readonly currentThrottled = emptyTally();
  /** Tasks PENDING, THROTTLED or RUNNING now, and the most there ever were at once. */
  readonly currentLive = emptyTally();
  readonly maxLive = emptyTally();
  /** Creates refused 429 because the model's rolling 24 h count had reached its daily limit. */
  readonly dailyLimitRefusals = emptyTally();
  /** Creates refused because their cost would take the rolling 30 days' spend past maxMonthlyCreditSpend. */
  readonly monthlySpendRefusals = emptyTally();
  readonly faultsInjected: Record<string, number> = {};
  throttledCount = 0;

  recordSubmission(model: string, endpoint: string, promptKey: string, credits: number): void {
    this.submissions.total += 1;
    this.submissions.byModel[model] = (this.submissions.byModel[model] ?? 0) + 1;
    this.submissions.byEndpoint[endpoint] = (this.submissions.byEndpoint[endpoint] ?? 0) + 1;
    this.createsByPrompt[promptKey] = (this.createsByPrompt[promptKey] ?? 0) + 1;
    this.credits.charged += credits;
  }

  /** `route` is "METHOD /path status", so a test can tell a retried request from two different ones refused. */
  recordRejection(status: number, method: string, pathname: string): void {
    const key = String(status);
    this.requests.rejectedByStatus[key] = (this.requests.rejectedByStatus[key] ?? 0) + 1;
    const route = `${method} ${pathname} ${key}`;
    this.requests.rejectedByRoute[route] = (this.requests.rejectedByRoute[route] ?? 0) + 1;
  }

  recordDailyLimitRefusal(model: string): void {
    bump(this.dailyLimitRefusals, model, 1);
  }

  recordMonthlySpendRefusal(model: string): void {
    bump(this.monthlySpendRefusals, model, 1);
  }

  /** Keep the RUNNING / THROTTLED / live tallies and their peaks in step with a task's status change. */
  recordStatusChange(model: string, from: TaskStatus | undefined, to: TaskStatus): void {
    const wasLive = from !== undefined && LIVE.has(from);
    const isLive = LIVE.has(to);
    if (wasLive && !isLive) bump(this.currentLive, model, -1);
    if (!wasLive && isLive) {
      bump(this.currentLive, model, 1);
      this.maxLive.overall = Math.max(this.maxLive.overall, this.currentLive.overall);
      this.maxLive.byModel[model] = Math.max(this.maxLive.byModel[model] ?? 0, this.currentLive.byModel[model] ?? 0);
    }
    if (from === 'RUNNING') bump(this.currentRunning, model, -1);
    if (from === 'THROTTLED') bump(this.currentThrottled, model, -1);
    if (to === 'THROTTLED') {
      bump(this.currentThrottled, model, 1);
      this.throttledCount += 1;
    }
    if (to === 'RUNNING') {
      bump(this.currentRunning, model, 1);
      this.maxConcurrentRunning.overall = Math.max(this.maxConcurrentRunning.overall, this.currentRunning.overall);
      const byModel = this.maxConcurrentRunning.byModel;
      byModel[model] = Math.max(byModel[model] ?? 0, this.currentRunning.byModel[model] ?? 0);
    }
  }

  counters() {
    return {
      submissions: this.submissions,
      createsByPrompt: this.createsByPrompt,
      gets: this.requests.gets,
      deletes: this.requests.deletes,
      requests: this.requests,
      throttledCount: this.throttledCount,
      maxConcurrentRunning: this.maxConcurrentRunning,
      currentRunning: this.currentRunning,
      currentThrottled: this.currentThrottled,
      currentLive: this.currentLive,
      maxLive: this.maxLive,
      dailyLimitRefusals: this.dailyLimitRefusals,
      monthlySpendRefusals: this.monthlySpendRefusals,
      credits: { ...this.credits, net: this.credits.charged - this.credits.refunded },
      downloads: this.downloads,
      faultsInjected: this.faultsInjected,
    };
  }
}
