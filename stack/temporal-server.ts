import path from 'node:path';
import { ManagedProcess } from './managed-process';
import { readyLine } from './ready-line';
import type { ServiceHandle } from './service';
import { isTemporalReady, type TemporalProbe } from './temporal-health';
import { waitUntilHealthy } from './wait-until-healthy';
import { ProcessService } from './process-service';

/** Custom search attributes every workflow of this project may set (all Keyword). */
export const stackSearchAttributes = [
  'WorkloadId',
  'GenerationKey',
  'RunwayTaskId',
  'RunwayModel',
  'GenerationState',
  'ProjectState',
] as const;

export interface TemporalServerConfig {
  cliPath: string;
  host: string;
  port: number;
  uiPort: number;
  namespace: string;
  dataDir: string;
  /** The Web UI's remote codec endpoint (the codec server's URL with its token), so the UI shows decoded payloads. */
  uiCodecEndpoint?: string;
  /** Where the server serves its Prometheus `/metrics` (RPCs and persistence operations by name); none when unset. */
  metricsPort?: number;
  log: (line: string) => void;
}

/** `temporal server start-dev` on SQLite under the data dir, so its state survives restarts. */
export class TemporalServer extends ProcessService implements ServiceHandle {
  readonly name = 'temporal';
  readonly address: string;
  readonly uiUrl: string;
  protected readonly process: ManagedProcess;

  constructor(private readonly config: TemporalServerConfig) {
    super();
    this.address = `${config.host}:${config.port}`;
    this.uiUrl = `http://${config.host}:${config.uiPort}`;
    this.process = new ManagedProcess({
      service: 'temporal',
      command: config.cliPath,
      args: startDevArgs(config),
      env: withoutTemporalClientEnv(process.env),
      logFile: path.join(config.dataDir, 'logs', 'temporal.log'),
    });
  }

  async start(): Promise<void> {
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => isTemporalReady(this.probe), timeoutMs: 90_000 });
    this.config.log(readyLine('temporal', this.address, `Web UI ${this.uiUrl}`));
  }

  stop(options?: { force?: boolean }): Promise<void> {
    return this.process.stop(options);
  }

  isHealthy(): Promise<boolean> {
    return isTemporalReady(this.probe).catch(() => false);
  }

  private get probe(): TemporalProbe {
    return { address: this.address, namespace: this.config.namespace, searchAttributes: stackSearchAttributes };
  }
}

function startDevArgs(config: TemporalServerConfig): string[] {
  const searchAttributeFlags = stackSearchAttributes.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
  return [
    'server',
    'start-dev',
    '--db-filename',
    path.join(config.dataDir, 'temporal.db'),
    '--ip',
    config.host,
    '--port',
    String(config.port),
    '--ui-port',
    String(config.uiPort),
    '--namespace',
    config.namespace,
    ...searchAttributeFlags,
    ...(config.uiCodecEndpoint ? ['--ui-codec-endpoint', config.uiCodecEndpoint] : []),
    ...(config.metricsPort !== undefined ? ['--metrics-port', String(config.metricsPort)] : []),
  ];
}

/** The CLI reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE… as client config; the server must not inherit ours. */
function withoutTemporalClientEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}
