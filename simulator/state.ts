import { createHash } from 'node:crypto';
import { MODEL_CATALOG } from '../schemas';
import { SimClock } from './clock';
import { concurrencyFor, type SimulatorConfig } from './config';
import { FaultInjector } from './faults';
import { MediaLibrary } from './media';
import { Scheduler } from './scheduler';
import { SimStats } from './stats';
import { SPEECH_MODELS } from './speech';
import type { SimModel, TaskRecord } from './task';
import { buildTask } from './task-factory';
import { adminTaskView } from './task-view';
import type { CreateRequest } from './validation';

const SIM_DAY_SECONDS = 86_400;

export interface Refusal {
  status: number;
  error: string;
}

/** One simulator run: config, simulated clock, counters, faults and tasks. A reset starts a new one. */
export class SimulatorState {
  readonly clock: SimClock;
  readonly stats = new SimStats();
  readonly scheduler: Scheduler;
  faults: FaultInjector;
  private readonly submissionCounts = new Map<string, number>();

  constructor(
    public config: SimulatorConfig,
    public media: MediaLibrary,
    private readonly listenUrl: string,
  ) {
    this.clock = new SimClock(config.timeScale);
    this.faults = new FaultInjector(config, this.stats.faultsInjected);
    this.scheduler = new Scheduler(this.clock, () => this.config, this.stats);
  }

  get publicUrl(): string {
    return this.config.publicUrl ?? this.listenUrl;
  }

  get signingSecret(): string {
    return this.config.signingSecret ?? createHash('sha256').update(`${this.config.apiSecret}:${this.config.seed}:media`).digest('hex');
  }

  /** Apply a new config to the running state: counters and tasks stay; rule counters restart if faults changed. */
  applyConfig(next: SimulatorConfig): void {
    const previous = this.config;
    this.config = next;
    if (next.timeScale !== previous.timeScale) this.clock.setTimeScale(next.timeScale);
    if (JSON.stringify(next.faults) !== JSON.stringify(previous.faults) || next.seed !== previous.seed) {
      this.faults = new FaultInjector(next, this.stats.faultsInjected);
    }
    if (next.mediaCacheDir !== previous.mediaCacheDir) this.media = new MediaLibrary(next.mediaCacheDir);
    this.scheduler.rebalance();
  }

  /** Why a valid request cannot become a task (credits, daily cap), or undefined. */
  refusalFor(request: CreateRequest): Refusal | undefined {
    const cost = request.credits;
    if (cost > this.creditBalance()) {
      return { status: 400, error: `You do not have enough credits to run this task (needs ${cost}, balance ${this.creditBalance()}).` };
    }
    if (this.dailyGenerations(request.model) >= this.config.maxDailyGenerations) {
      return { status: 429, error: `Daily generation limit reached for ${request.model} (${this.config.maxDailyGenerations}).` };
    }
    return undefined;
  }

  createTask(request: CreateRequest): TaskRecord {
    const task = buildTask(request, {
      config: this.config,
      faults: this.faults,
      media: this.media,
      nowSim: this.clock.now(),
      submissionIndex: (model, promptKey) => this.nextSubmissionIndex(model, promptKey),
    });
    this.stats.recordSubmission(task.model, task.endpoint, task.promptKey, task.credits);
    this.scheduler.admit(task);
    return task;
  }

  stop(): void {
    this.scheduler.stop();
  }

  /** The admin stats JSON (`withTasks: false` leaves out the per-task list, for big runs). */
  snapshot(withTasks = true) {
    const all = withTasks ? [...this.scheduler.tasks.values()] : [];
    const tasks = all.map((task) => adminTaskView(task, this.scheduler.progressOf(task)));
    return { ...this.stats.counters(), creditBalance: this.creditBalance(), simulatedSeconds: this.clock.now(), tasks };
  }

  /** A task the API may show: known and not deleted. */
  visibleTask(id: string): TaskRecord | undefined {
    const task = this.scheduler.tasks.get(id);
    return task && !task.deleted ? task : undefined;
  }

  creditBalance(): number {
    return this.config.creditBalance - this.stats.credits.charged + this.stats.credits.refunded;
  }

  organization() {
    const models: SimModel[] = [...(Object.keys(MODEL_CATALOG) as SimModel[]), ...SPEECH_MODELS];
    return {
      creditBalance: this.creditBalance(),
      tier: {
        maxMonthlyCreditSpend: this.config.maxMonthlyCreditSpend,
        models: Object.fromEntries(
          models.map((model) => [
            model,
            { maxConcurrentGenerations: concurrencyFor(this.config, model), maxDailyGenerations: this.config.maxDailyGenerations },
          ]),
        ),
      },
      usage: { models: Object.fromEntries(models.map((model) => [model, { dailyGenerations: this.dailyGenerations(model) }])) },
    };
  }

  private dailyGenerations(model: SimModel): number {
    const since = this.clock.now() - SIM_DAY_SECONDS;
    let count = 0;
    for (const task of this.scheduler.tasks.values()) if (task.model === model && task.createdSim > since) count += 1;
    return count;
  }

  private nextSubmissionIndex(model: string, promptKey: string): number {
    const key = `${model}\u0000${promptKey}`;
    const index = this.submissionCounts.get(key) ?? 0;
    this.submissionCounts.set(key, index + 1);
    return index;
  }
}

/** What GET /__sim/stats answers: counters, and each task as the admin surface shows it. */
export type SimulatorSnapshot = ReturnType<SimulatorState['snapshot']>;
