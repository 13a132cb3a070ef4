import { createHash } from 'node:crypto';
import { SimClock } from './clock';
import { VIDEO_MODEL_IDS } from './contract';
import { concurrencyFor, dailyLimitFor, isPlainObject, type SimulatorConfig } from './config';
import { FaultInjector } from './faults';
import { MediaLibrary } from './media';
import type { RouterConfig } from './router';
import { Scheduler } from './scheduler';
import { SPEND_WINDOW_SECONDS, SpendLedger } from './spend';
import { SimStats } from './stats';
import { UploadStore } from './uploads';
import { SPEECH_MODELS } from './speech';
import type { SimModel, TaskRecord } from './task';
import { buildTask } from './task-factory';
import { adminTaskView } from './task-view';
import type { CreateRequest } from './validation';

const SIM_DAY_SECONDS = 86_400;
const ALL_MODELS: readonly SimModel[] = [...VIDEO_MODEL_IDS, ...SPEECH_MODELS];

export interface Refusal {
  status: number;
  error: string;
}

/** One simulator run: config, simulated clock, counters, faults and tasks. A reset starts a new one. */
export class SimulatorState {
  readonly clock: SimClock;
  readonly stats = new SimStats();
  readonly uploads: UploadStore;
  readonly scheduler: Scheduler;
  readonly spend: SpendLedger;
  /** Model Router configs by slug (generation requests name the slug; management calls the id). */
  readonly routers = new Map<string, RouterConfig>();
  faults: FaultInjector;
  private readonly submissionCounts = new Map<string, number>();
  /** dailyUsage seeds: generations other clients made of a model, and the simulated second they were stamped. */
  private readonly usageSeeds = new Map<SimModel, { count: number; atSim: number }>();
  /** Tasks a usage reset took out of the daily count (they stay visible; they no longer count). */
  private readonly usageForgotten = new WeakSet<TaskRecord>();

  constructor(
    public config: SimulatorConfig,
    public media: MediaLibrary,
    private readonly listenUrl: string,
  ) {
    this.clock = new SimClock(config.timeScale);
    this.uploads = new UploadStore(this.signingSecret, () => this.clock.now());
    this.faults = new FaultInjector(config, this.stats.faultsInjected);
    this.spend = new SpendLedger(Date.now());
    this.scheduler = new Scheduler(this.clock, () => this.config, this.stats, this.spend);
    this.seedUsage(config, Object.keys(config.dailyUsage));
    this.seedSpend(config.priorMonthlySpend);
  }

  get publicUrl(): string {
    return this.config.publicUrl ?? this.listenUrl;
  }

  get signingSecret(): string {
    return this.config.signingSecret ?? createHash('sha256').update(`${this.config.apiSecret}:${this.config.seed}:media`).digest('hex');
  }

  /**
   * Apply a new config to the running state: counters and tasks stay; rule counters restart if faults changed.
   * `partial` is what was merged: only the dailyUsage models it names are (re)stamped now.
   */
  applyConfig(next: SimulatorConfig, partial?: unknown): void {
    const previous = this.config;
    this.config = next;
    const named = isPlainObject(partial) && isPlainObject(partial.dailyUsage) ? Object.keys(partial.dailyUsage) : [];
    this.seedUsage(next, named);
    if (isPlainObject(partial) && isPlainObject(partial.priorMonthlySpend))
      this.seedSpend(partial.priorMonthlySpend as SimulatorConfig['priorMonthlySpend']);
    if (next.timeScale !== previous.timeScale) this.clock.setTimeScale(next.timeScale);
    if (JSON.stringify(next.faults) !== JSON.stringify(previous.faults) || next.seed !== previous.seed) {
      this.faults = new FaultInjector(next, this.stats.faultsInjected);
    }
    if (next.mediaCacheDir !== previous.mediaCacheDir) this.media = new MediaLibrary(next.mediaCacheDir);
    this.scheduler.rebalance();
  }

  /** Why a valid request cannot become a task (model outside the workspace, credits, monthly spend, daily cap), or undefined. */
  refusalFor(request: CreateRequest): Refusal | undefined {
    const { model } = request;
    // Runway publishes no distinct status for a model the organization's tier lacks; it treats the
    // model as input it will not run, so a 400 like any other unusable model (the SDK's BadRequestError).
    if (!this.workspaceModels().includes(model)) {
      return { status: 400, error: `model: ${model} is not available to your organization.` };
    }
    const cost = request.credits;
    if (cost > this.creditBalance()) {
      return { status: 400, error: `You do not have enough credits to run this task (needs ${cost}, balance ${this.creditBalance()}).` };
    }
    // Runway caps what an organization may spend on credits in 30 days, and its autobilling tops the balance
    // up only within that: past it a create cannot be paid for, the same 400 as an empty balance, naming the cap.
    const spent = this.spend.spentInWindow(this.clock.now());
    const cap = this.config.maxMonthlyCreditSpend;
    if (spent + cost > cap) {
      this.stats.recordMonthlySpendRefusal(model);
      return {
        status: 400,
        error: `You do not have enough credits to run this task: it needs ${cost} credits and your organization has spent ${spent} of its maximum monthly credit spend of ${cap} in the past 30 days.`,
      };
    }
    const limit = dailyLimitFor(this.config, model);
    if (limit !== null && this.dailyGenerations(model) >= limit) {
      this.stats.recordDailyLimitRefusal(model);
      // 429 Too Many Requests, as Runway's usage-tier docs say; no Retry-After, since Runway does not say when the 24 h window frees up.
      return { status: 429, error: `Too Many Requests: daily generation limit reached for ${model} (${limit} in the past 24 hours).` };
    }
    return undefined;
  }

  /** POST /__sim/usage/reset: every generation so far, and every dailyUsage seed, stops counting toward the daily limits. */
  resetDailyUsage(): void {
    this.usageSeeds.clear();
    for (const task of this.scheduler.tasks.values()) this.usageForgotten.add(task);
  }

  createTask(request: CreateRequest): TaskRecord {
    const images = typeof request.promptImage === 'string' ? [request.promptImage] : (request.promptImage ?? []).map((item) => item.uri);
    for (const uri of images) if (/^runway:\/\//i.test(uri)) this.uploads.noteUse(uri);
    const task = buildTask(request, {
      config: this.config,
      faults: this.faults,
      media: this.media,
      nowSim: this.clock.now(),
      submissionIndex: (model, promptKey) => this.nextSubmissionIndex(model, promptKey),
    });
    this.stats.recordSubmission(task.model, task.endpoint, task.promptKey, task.credits);
    this.spend.charge(task.model, task.credits, task.createdSim);
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
    return {
      ...this.stats.counters(),
      uploads: this.uploads.snapshot(),
      creditBalance: this.creditBalance(),
      monthlySpend: this.monthlySpend(),
      simulatedSeconds: this.clock.now(),
      tasks,
    };
  }

  /** A task the API may show: known and not deleted. */
  visibleTask(id: string): TaskRecord | undefined {
    const task = this.scheduler.tasks.get(id);
    return task && !task.deleted ? task : undefined;
  }

  /** GET /__sim/spend: the rolling 30-day spend the monthly cap is checked against. */
  monthlySpend() {
    const now = this.clock.now();
    const spent = this.spend.spentInWindow(now);
    const cap = this.config.maxMonthlyCreditSpend;
    return {
      today: this.today(),
      windowSeconds: SPEND_WINDOW_SECONDS,
      maxMonthlyCreditSpend: cap,
      spent,
      remaining: Math.max(0, cap - spent),
      byModel: this.spend.spentByModel(now),
    };
  }

  /** POST /v1/organization/usage: net credits per model per day of the simulated calendar, [startDate, beforeDate). */
  usage(startDate: string, beforeDate: string) {
    const results = this.spend.usageByDay(startDate, beforeDate);
    const models = [...new Set(results.flatMap((day) => day.usedCredits.map((used) => used.model)))].sort();
    return { models, results };
  }

  /** Today's date in the simulated calendar. */
  today(): string {
    return this.spend.dateOf(this.clock.now());
  }

  creditBalance(): number {
    return this.config.creditBalance - this.stats.credits.charged + this.stats.credits.refunded;
  }

  organization() {
    const models = this.workspaceModels();
    const used = this.dailyCounts();
    return {
      creditBalance: this.creditBalance(),
      tier: {
        maxMonthlyCreditSpend: this.config.maxMonthlyCreditSpend,
        models: Object.fromEntries(
          models.map((model) => [
            model,
            { maxConcurrentGenerations: concurrencyFor(this.config, model), maxDailyGenerations: dailyLimitFor(this.config, model) },
          ]),
        ),
      },
      usage: { models: Object.fromEntries(models.map((model) => [model, { dailyGenerations: used.get(model) ?? 0 }])) },
    };
  }

  /** The models the workspace has: the configured list, or every model the simulator knows. */
  workspaceModels(): readonly SimModel[] {
    return this.config.models ?? ALL_MODELS;
  }

  /** Generations of one model in the rolling 24 simulated hours: its tasks plus the dailyUsage seed. */
  private dailyGenerations(model: SimModel): number {
    return this.dailyCounts(model).get(model) ?? 0;
  }

  /** Rolling 24 h counts per model (one model's only when `only` is given), in one pass over the tasks. */
  private dailyCounts(only?: SimModel): Map<SimModel, number> {
    const since = this.clock.now() - SIM_DAY_SECONDS;
    const counts = new Map<SimModel, number>();
    const add = (model: SimModel, n: number) => counts.set(model, (counts.get(model) ?? 0) + n);
    for (const task of this.scheduler.tasks.values()) {
      if ((only === undefined || task.model === only) && task.createdSim > since && !this.usageForgotten.has(task)) add(task.model, 1);
    }
    for (const [model, seed] of this.usageSeeds) {
      if ((only === undefined || model === only) && seed.atSim > since) add(model, seed.count);
    }
    return counts;
  }

  /** Other clients' spend, charged to its models now (it ages out of the 30-day window like the workspace's own). */
  private seedSpend(spend: SimulatorConfig['priorMonthlySpend']): void {
    for (const [model, credits] of Object.entries(spend)) if (credits) this.spend.charge(model, credits, this.clock.now());
  }

  /** Stamp the dailyUsage of the named models at the current simulated second (replacing an earlier seed). */
  private seedUsage(config: SimulatorConfig, models: string[]): void {
    const now = this.clock.now();
    for (const model of models as SimModel[]) {
      const count = config.dailyUsage[model];
      if (count !== undefined) this.usageSeeds.set(model, { count, atSim: now });
    }
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
