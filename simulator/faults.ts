import type { FaultKind, FaultMatch, FaultRoute, FaultRule, SimulatorConfig } from './config';
import { createRng, hashUnit, type Rng } from './rng';
import type { StuckAt, TaskFacts, TaskFailure, TaskFate } from './task';

export interface TaskFaults {
  fate: TaskFate;
  failWith?: TaskFailure;
  stuck?: StuckAt;
  applied: FaultKind[];
}

export interface HttpFault {
  kind: 'http_error' | 'reset';
  status: number;
  retryAfterSeconds?: number;
  afterProcessing: boolean;
}

export type HttpMethod = 'POST' | 'GET' | 'DELETE';

/** What a rule's `match` looks at. */
export type MatchFacts = Pick<TaskFacts, 'model' | 'endpoint' | 'promptText'>;

const SERVER_ERROR_STATUSES = [502, 503, 504] as const;

/**
 * Decides which faults hit. Rules are exact (consumed in order, `times` counting down per application);
 * rates are random but seeded: task-level draws hash (seed, prompt, model, nth submission) so every
 * client sees the same faults for the same prompts, and HTTP-level draws follow one seeded stream per route.
 */
export class FaultInjector {
  private readonly remaining: Array<number | undefined>;
  private readonly streams = new Map<string, Rng>();
  /** `injected` counts applications per kind; it outlives the injector (a config change makes a new one). */
  constructor(
    private readonly config: SimulatorConfig,
    private readonly injected: Record<string, number> = {},
  ) {
    this.remaining = config.faults.rules.map((rule) => rule.times);
  }

  /** Fate and stuckness of a new task. */
  forNewTask(facts: TaskFacts): TaskFaults {
    const applied: FaultKind[] = [];
    const { fate, failWith } = this.fateOf(facts, applied);
    const stuck = fate === 'moderation' ? undefined : this.stuckness(facts, applied);
    return { fate, ...(failWith ? { failWith } : {}), stuck, applied };
  }

  /** Fields to lay over this GET answer to take it off the API contract, or undefined. */
  offContractBody(facts: MatchFacts): Record<string, unknown> | undefined {
    const rule = this.take((candidate) => candidate.fault === 'off_contract', facts);
    return rule ? (rule.body ?? { status: 'ARCHIVED' }) : undefined;
  }

  /** A fault for this request, or undefined. `facts` describe the task (absent when there is none). */
  httpFault(route: FaultRoute, method: HttpMethod, facts?: MatchFacts): HttpFault | undefined {
    const rule = this.take((candidate) => isHttpRule(candidate, route), facts);
    if (rule) return ruleFault(rule);
    return route === 'media' ? undefined : this.randomHttpFault(route, method);
  }

  truncateDownload(facts: TaskFacts, downloadIndex: number): boolean {
    if (this.take((rule) => rule.fault === 'truncate_download', facts)) return true;
    const draw = hashUnit(this.config.seed, 'truncate', ...factKey(facts), downloadIndex);
    return this.count('truncate_download', draw < this.config.faults.truncateDownloadRate);
  }

  expireUrl(facts: TaskFacts): boolean {
    return this.take((rule) => rule.fault === 'expire_url', facts) !== undefined;
  }

  latencyMs(): number {
    const { min, max } = this.config.faults.latencyMs;
    return max > 0 ? min + this.stream('latency')() * (max - min) : 0;
  }

  private fateOf(facts: TaskFacts, applied: FaultKind[]): { fate: TaskFate; failWith?: TaskFailure } {
    const rule = this.take((candidate) => candidate.fault === 'fail', facts);
    if (rule) {
      applied.push('fail');
      return {
        fate: 'fail',
        failWith: { ...(rule.failureCode ? { code: rule.failureCode } : {}), text: rule.failure ?? 'The task failed.' },
      };
    }
    const kind = this.fateFault(facts);
    if (kind) applied.push(kind);
    return { fate: kind ?? 'succeed' };
  }

  private fateFault(facts: TaskFacts): 'moderation' | 'bad_output' | undefined {
    const rule = this.take((candidate) => candidate.fault === 'moderation' || candidate.fault === 'bad_output', facts);
    if (rule) return rule.fault as 'moderation' | 'bad_output';
    if (this.hasModerationTerm(facts.promptText)) return this.counted('moderation');
    if (this.drawTask(facts, 'badOutput') < this.config.faults.badOutputRate) return this.counted('bad_output');
    return undefined;
  }

  private stuckness(facts: TaskFacts, applied: FaultKind[]): StuckAt | undefined {
    const kind = this.stuckFault(facts);
    if (!kind) return undefined;
    applied.push(kind);
    return kind === 'stuck_queue' ? 'queue' : 'running';
  }

  private stuckFault(facts: TaskFacts): 'stuck_queue' | 'stuck_running' | undefined {
    const rule = this.take((candidate) => candidate.fault === 'stuck_queue' || candidate.fault === 'stuck_running', facts);
    if (rule) return rule.fault as 'stuck_queue' | 'stuck_running';
    if (this.drawTask(facts, 'stuckQueue') < this.config.faults.stuckQueueRate) return this.counted('stuck_queue');
    if (this.drawTask(facts, 'stuckRunning') < this.config.faults.stuckRunningRate) return this.counted('stuck_running');
    return undefined;
  }

  private hasModerationTerm(promptText: string | undefined): boolean {
    const text = (promptText ?? '').toLowerCase();
    return this.config.faults.moderationTerms.some((term) => text.includes(term.toLowerCase()));
  }

  private randomHttpFault(route: FaultRoute, method: HttpMethod): HttpFault | undefined {
    const { faults } = this.config;
    if (this.count('reset', this.stream(`reset:${route}`)() < faults.resetRate)) {
      return { kind: 'reset', status: 0, afterProcessing: false };
    }
    const errors = this.stream(`error:${route}`);
    if (this.count('http_error', errors() < faults.serverErrorRate[lowerMethod(method)])) {
      const status = SERVER_ERROR_STATUSES[Math.floor(errors() * SERVER_ERROR_STATUSES.length)] ?? 503;
      return { kind: 'http_error', status, afterProcessing: false };
    }
    if (method === 'POST' && this.count('rate_limit', this.stream('rateLimit')() < faults.rateLimitRate)) {
      return { kind: 'http_error', status: 429, retryAfterSeconds: faults.retryAfterSeconds, afterProcessing: false };
    }
    return undefined;
  }

  /** The first matching rule with applications left, consumed once. */
  private take(accepts: (rule: FaultRule) => boolean, facts: MatchFacts | undefined): FaultRule | undefined {
    const index = this.config.faults.rules.findIndex(
      (rule, position) => accepts(rule) && this.remaining[position] !== 0 && matches(rule.match, facts),
    );
    const rule = this.config.faults.rules[index];
    if (!rule) return undefined;
    const left = this.remaining[index];
    if (left !== undefined) this.remaining[index] = left - 1;
    this.count(rule.fault, true);
    return rule;
  }

  private drawTask(facts: TaskFacts, purpose: string): number {
    return hashUnit(this.config.seed, purpose, ...factKey(facts));
  }

  private counted<T extends FaultKind>(kind: T): T {
    this.count(kind, true);
    return kind;
  }

  private count(kind: FaultKind | 'rate_limit', happened: boolean): boolean {
    if (happened) this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return happened;
  }

  private stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (!rng) {
      rng = createRng(this.config.seed, name);
      this.streams.set(name, rng);
    }
    return rng;
  }
}

function isHttpRule(rule: FaultRule, route: FaultRoute): boolean {
  return (rule.fault === 'http_error' || rule.fault === 'reset') && (rule.route ?? 'create') === route;
}

function ruleFault(rule: FaultRule): HttpFault {
  return {
    kind: rule.fault === 'reset' ? 'reset' : 'http_error',
    status: rule.status ?? 503,
    retryAfterSeconds: rule.retryAfterSeconds,
    afterProcessing: rule.afterProcessing ?? false,
  };
}

function matches(match: FaultMatch, facts: MatchFacts | undefined): boolean {
  const constrained = match.promptIncludes !== undefined || match.model !== undefined || match.endpoint !== undefined;
  if (!facts) return !constrained;
  if (match.model !== undefined && match.model !== facts.model) return false;
  if (match.endpoint !== undefined && match.endpoint !== facts.endpoint) return false;
  return match.promptIncludes === undefined || (facts.promptText ?? '').includes(match.promptIncludes);
}

function factKey(facts: TaskFacts): Array<string | number> {
  return [facts.model, facts.promptKey, facts.submissionIndex];
}

function lowerMethod(method: HttpMethod): 'post' | 'get' | 'delete' {
  return method.toLowerCase() as 'post' | 'get' | 'delete';
}
