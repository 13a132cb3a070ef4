import { Agent, request } from 'undici';
import type { SimulatorSnapshot } from '../simulator/state';

/** The simulator's admin surface (not Runway's API): reset to a full config, read counters. */
export class SimAdmin {
  /** Its own connections: a socket of undici's global pool opened here would carry no activity context. */
  private readonly dispatcher = new Agent();

  constructor(
    private readonly adminUrl: string,
    private readonly apiSecret: string,
  ) {}

  /** A reset replaces the WHOLE config: anything not given reverts to the simulator's default. */
  async reset(config: Record<string, unknown>): Promise<void> {
    await this.call('POST', '/reset', { apiSecret: this.apiSecret, ...config });
  }

  stats(withTasks = true): Promise<SimulatorSnapshot> {
    return this.call('GET', `/stats${withTasks ? '' : '?tasks=false'}`) as Promise<SimulatorSnapshot>;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await request(`${this.adminUrl}${path}`, {
      method,
      dispatcher: this.dispatcher,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`simulator admin ${method} ${path}: ${response.statusCode} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}
