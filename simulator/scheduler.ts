import type { TaskStatus } from './contract';
import type { SimClock } from './clock';
import { concurrencyFor, type SimulatorConfig } from './config';
import type { SpendLedger } from './spend';
import type { SimStats } from './stats';
import { isActive, type SimModel, type TaskRecord } from './task';

export const FAILURES = {
  moderation: { code: 'SAFETY.INPUT.TEXT', text: 'The prompt text did not pass content moderation.' },
  badOutput: { code: 'INTERNAL.BAD_OUTPUT.CODE01', text: 'The generation was rejected by quality checks. Try again.' },
  queueTimeout: { code: 'INTERNAL.QUEUE_TIMEOUT', text: 'The task waited in the queue too long and was abandoned.' },
  media: { code: 'INTERNAL', text: 'An internal error occurred while producing the output.' },
} as const;

/** Stuck RUNNING tasks report progress that creeps up to this and stops. */
const STUCK_PROGRESS = 0.9;
const MAX_RUNNING_PROGRESS = 0.99;

/**
 * The task state machine: PENDING (short, holding a slot) → RUNNING → SUCCEEDED | FAILED, with
 * per-model slots; a task created while its model is at capacity waits THROTTLED (the silent queue)
 * and takes the next free slot in FIFO order. Timers run on simulated time.
 */
export class Scheduler {
  readonly tasks = new Map<string, TaskRecord>();
  private readonly slotsInUse = new Map<SimModel, number>();
  private readonly throttled = new Map<SimModel, TaskRecord[]>();
  private stopped = false;

  constructor(
    private readonly clock: SimClock,
    private readonly config: () => SimulatorConfig,
    private readonly stats: SimStats,
    private readonly spend: SpendLedger,
  ) {}

  admit(task: TaskRecord): void {
    this.tasks.set(task.id, task);
    if (task.fate === 'moderation') {
      this.setStatus(task, 'PENDING');
      task.timer = this.clock.after(this.config().pendingSeconds, () => this.fail(task, FAILURES.moderation));
      return;
    }
    if (task.stuck === 'queue') return this.setStatus(task, 'PENDING');
    if (this.hasFreeSlot(task.model)) this.takeSlot(task);
    else this.throttle(task);
    this.armQueueTimeout(task);
  }

  /** DELETE: cancel an active task (refunded when it never ran) or forget a finished one. */
  remove(task: TaskRecord): void {
    if (isActive(task)) {
      if (task.runningSinceSim === undefined) this.refund(task);
      this.dequeue(task);
      this.setStatus(task, 'CANCELLED');
      this.settle(task);
    }
    task.deleted = true;
  }

  progressOf(task: TaskRecord): number {
    if (task.status !== 'RUNNING') return task.status === 'SUCCEEDED' ? 1 : 0;
    if (task.runningSinceSim === undefined) return 0;
    const elapsed = this.clock.now() - task.runningSinceSim;
    const fraction = task.generationSeconds > 0 ? elapsed / task.generationSeconds : 1;
    const cap = task.stuck === 'running' ? STUCK_PROGRESS : MAX_RUNNING_PROGRESS;
    return Math.round(Math.min(Math.max(fraction, 0), cap) * 100) / 100;
  }

  /** Let waiting tasks take slots after a concurrency change. */
  rebalance(): void {
    for (const model of this.throttled.keys()) this.admitWaiting(model);
  }

  stop(): void {
    this.stopped = true;
    this.clock.cancelAll();
  }

  /** Whether a new task of the model would run now rather than wait THROTTLED. */
  hasFreeSlot(model: SimModel): boolean {
    const limit = concurrencyFor(this.config(), model);
    return limit === null || (this.slotsInUse.get(model) ?? 0) < limit;
  }

  private takeSlot(task: TaskRecord): void {
    task.holdsSlot = true;
    this.slotsInUse.set(task.model, (this.slotsInUse.get(task.model) ?? 0) + 1);
    this.setStatus(task, 'PENDING');
    task.timer = this.clock.after(this.config().pendingSeconds, () => this.run(task));
  }

  private throttle(task: TaskRecord): void {
    this.setStatus(task, 'THROTTLED');
    const queue = this.throttled.get(task.model) ?? [];
    queue.push(task);
    this.throttled.set(task.model, queue);
  }

  private run(task: TaskRecord): void {
    this.clock.cancel(task.queueTimer);
    task.runningSinceSim = this.clock.now();
    this.setStatus(task, 'RUNNING');
    if (task.stuck === 'running') return;
    task.timer = this.clock.after(task.generationSeconds, () => void this.finish(task));
  }

  private async finish(task: TaskRecord): Promise<void> {
    if (task.fate === 'bad_output') return this.fail(task, FAILURES.badOutput);
    if (task.fate === 'fail') return this.fail(task, task.failWith ?? { text: 'The task failed.' });
    const media = await task.media;
    if (this.stopped || task.status !== 'RUNNING') return;
    if (media instanceof Error) return this.fail(task, FAILURES.media);
    task.output = media;
    this.setStatus(task, 'SUCCEEDED');
    this.settle(task);
  }

  private fail(task: TaskRecord, failure: { code?: string; text: string }): void {
    task.failure = failure.text;
    task.failureCode = failure.code;
    this.setStatus(task, 'FAILED');
    this.settle(task);
  }

  private armQueueTimeout(task: TaskRecord): void {
    const limit = this.config().queueFailAfterSeconds;
    if (limit === null) return;
    task.queueTimer = this.clock.after(limit, () => {
      if (task.status !== 'PENDING' && task.status !== 'THROTTLED') return;
      this.refund(task);
      this.dequeue(task);
      this.fail(task, FAILURES.queueTimeout);
    });
  }

  /** A task reached an end: stop its timers and give back its slot. */
  private settle(task: TaskRecord): void {
    this.clock.cancel(task.timer);
    this.clock.cancel(task.queueTimer);
    if (!task.holdsSlot) return;
    task.holdsSlot = false;
    this.slotsInUse.set(task.model, (this.slotsInUse.get(task.model) ?? 1) - 1);
    this.admitWaiting(task.model);
  }

  private admitWaiting(model: SimModel): void {
    const queue = this.throttled.get(model) ?? [];
    while (queue.length > 0 && this.hasFreeSlot(model)) {
      const next = queue.shift();
      if (next) this.takeSlot(next);
    }
  }

  private dequeue(task: TaskRecord): void {
    const queue = this.throttled.get(task.model);
    const index = queue?.indexOf(task) ?? -1;
    if (queue && index >= 0) queue.splice(index, 1);
  }

  private refund(task: TaskRecord): void {
    if (task.refunded) return;
    task.refunded = true;
    this.stats.credits.refunded += task.credits;
    this.spend.refund(task.model, task.credits, this.clock.now());
  }

  private setStatus(task: TaskRecord, status: TaskStatus): void {
    const previous = task.history.length > 0 ? task.status : undefined;
    if (previous === status) return;
    task.status = status;
    task.history.push({ status, at: new Date().toISOString(), simSeconds: round3(this.clock.now()) });
    this.stats.recordStatusChange(task.model, previous, status);
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
