import { request, type Dispatcher } from 'undici';
import type { SimulatorSnapshot } from './state';
import type { AdminTaskView } from './task-view';

export interface SimulatorAdminOptions {
  /** Sent with every reset: the API secret the simulator then accepts. */
  apiSecret?: string;
  /** Connections of the caller's own (a benchmark keeps them apart from the product's); undici's global pool otherwise. */
  dispatcher?: Dispatcher;
  /** Bound on one admin call, ms; undici's defaults otherwise. */
  timeoutMs?: number;
}

/**
 * The simulator's admin surface (`<url>/__sim`, not Runway's API) over HTTP: the one client tests, chaos
 * runs and benchmarks use to configure the stand-in and read what it saw.
 */
export class SimulatorAdmin {
  /** `adminUrl`: the simulator's base URL plus `/__sim`. */
  constructor(
    private readonly adminUrl: string,
    private readonly options: SimulatorAdminOptions = {},
  ) {}

  /** Start over: every task and counter cleared. A reset replaces the WHOLE config: anything not given reverts to its default. */
  reset(config: Record<string, unknown>): Promise<unknown> {
    const secret = this.options.apiSecret !== undefined ? { apiSecret: this.options.apiSecret } : {};
    return this.expect('POST', '/reset', { ...secret, ...config });
  }

  /** Merge a partial config into the running one. */
  configure(partial: Record<string, unknown>): Promise<unknown> {
    return this.expect('POST', '/config', partial);
  }

  /** Counters and, unless `tasks` is false, every task. */
  stats({ tasks = true }: { tasks?: boolean } = {}): Promise<SimulatorSnapshot> {
    return this.expect('GET', tasks ? '/stats' : '/stats?tasks=false') as Promise<SimulatorSnapshot>;
  }

  task(id: string): Promise<AdminTaskView> {
    return this.expect('GET', `/tasks/${encodeURIComponent(id)}`) as Promise<AdminTaskView>;
  }

  /** Forget all daily usage: tasks stay, they just stop counting toward the daily limits. */
  resetUsage(): Promise<unknown> {
    return this.expect('POST', '/usage/reset', {});
  }

  /** One admin call as answered, refusals included (a 400 for a config the simulator rejects). */
  async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const { dispatcher, timeoutMs } = this.options;
    const response = await request(`${this.adminUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...(dispatcher ? { dispatcher } : {}),
      ...(timeoutMs !== undefined ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  private async expect(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const answer = await this.send(method, path, body);
    if (answer.status >= 400) throw new Error(`simulator admin ${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}
