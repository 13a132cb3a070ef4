import path from 'node:path';
import { ManagedProcess } from './managed-process';
import { repoRoot } from '../infra/paths';
import { readyLine } from './ready-line';
import type { ServiceHandle } from './service';
import { waitUntilHealthy } from './wait-until-healthy';
import { ProcessService } from './process-service';

export interface SimulatorTuning {
  /** SIM_TIME_SCALE: how much faster than real time tasks progress. */
  timeScale?: number | string;
  /** SIM_SEED: makes the fault draws repeatable. */
  seed?: number | string;
  /** SIM_CONCURRENCY: tasks the simulated account runs at once. */
  concurrency?: number | string;
  /** SIM_CONFIG: the simulator's JSON config (object or JSON text). */
  config?: unknown;
}

export interface SimulatorConfig extends SimulatorTuning {
  host: string;
  port: number;
  apiSecret: string;
  /** Entry file, relative to the repo root. */
  entry: string;
  dataDir: string;
  log: (line: string) => void;
}

/** The Runway stand-in (`simulator/main.ts`) run through tsx as a child process. */
export class SimulatorProcess extends ProcessService implements ServiceHandle {
  readonly name = 'simulator';
  readonly baseUrl: string;
  protected readonly process: ManagedProcess;

  constructor(private readonly config: SimulatorConfig) {
    super();
    this.baseUrl = `http://${config.host}:${config.port}`;
    this.process = new ManagedProcess({
      service: 'simulator',
      command: process.execPath,
      args: ['--import', 'tsx', config.entry],
      cwd: repoRoot,
      env: { ...process.env, ...simulatorEnv(config) },
      logFile: path.join(config.dataDir, 'logs', 'simulator.log'),
      stopTimeoutMs: 5_000,
    });
  }

  /** Admin surface of the simulator (stats, faults). */
  get adminUrl(): string {
    return `${this.baseUrl}/__sim`;
  }

  async start(): Promise<void> {
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.isHealthy(), timeoutMs: 60_000 });
    this.config.log(readyLine('simulator', this.baseUrl, `admin ${this.adminUrl}/stats`));
  }

  stop(options?: { force?: boolean }): Promise<void> {
    return this.process.stop(options);
  }

  isHealthy(): Promise<boolean> {
    return isSimulatorUp(this.baseUrl);
  }
}

/** Health = GET <baseUrl>/__sim/stats answers 200. */
export async function isSimulatorUp(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/__sim/stats`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

function simulatorEnv(config: SimulatorConfig): Record<string, string> {
  const env: Record<string, string> = {
    SIM_HOST: config.host,
    SIM_PORT: String(config.port),
    SIM_API_SECRET: config.apiSecret,
  };
  if (config.timeScale !== undefined) env.SIM_TIME_SCALE = String(config.timeScale);
  if (config.seed !== undefined) env.SIM_SEED = String(config.seed);
  if (config.concurrency !== undefined) env.SIM_CONCURRENCY = String(config.concurrency);
  if (config.config !== undefined) env.SIM_CONFIG = asJsonText(config.config);
  return env;
}

function asJsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
