import type { ServiceName } from './service';
import type { SimulatorTuning } from './simulator-process';
import type { ToolPaths } from './tools';

export interface StackPorts {
  /** Temporal frontend (gRPC). */
  temporal: number;
  temporalUi: number;
  s3: number;
  simulator: number;
  /** The Web UI's remote codec (infra/codec-server.ts). */
  codecServer: number;
}

export interface StackOptions {
  /** Where state, logs, secrets and stack.env live. Default: STACK_DATA_DIR, else `<repo>/.data`. */
  dataDir?: string;
  /** 'auto' picks free ports (tests); otherwise overrides of the env/default ports. */
  ports?: 'auto' | Partial<StackPorts>;
  /** Interface every service binds to. Default: STACK_HOST, else 127.0.0.1. */
  host?: string;
  namespace?: string;
  bucket?: string;
  /** Services started now. Default: all. Handles of the others exist and can be start()ed later. */
  services?: readonly ServiceName[];
  /**
   * An external Runway endpoint: no simulator is started. Default: RUNWAYML_BASE_URL.
   * `null` always starts the simulator, even when RUNWAYML_BASE_URL is set.
   */
  runwayBaseUrl?: string | null;
  simulator?: SimulatorTuning & { apiSecret?: string; entry?: string };
  /** The Temporal dev server's Prometheus `/metrics` port (the bench reads its RPC counts); none by default. */
  temporalMetricsPort?: number;
  /** Skip discovery/building of binaries. */
  tools?: Partial<ToolPaths>;
  /** Source of configuration. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Progress and ready lines. Default: console.log. */
  log?: (line: string) => void;
}

/** `npm run stack -- [--production [--workers N] [--tls]]`: the command line of the stack launcher. */
export interface StackArgs {
  production: boolean;
  /** Worker replicas of the production topology; only with --production. */
  workers: number | undefined;
  /** The production topology's Temporal server with mTLS; only with --production. */
  tls: boolean;
}

export function parseStackArgs(argv: readonly string[]): StackArgs {
  const args: StackArgs = { production: false, workers: undefined, tls: false };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--production') args.production = true;
    else if (arg === '--tls') args.tls = true;
    else if (arg === '--workers' || arg.startsWith('--workers=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[(index += 1)];
      const workers = Number(value);
      if (!Number.isInteger(workers) || workers < 0)
        throw new Error(`--workers needs a whole number of replicas (0 or more), got ${value}`);
      args.workers = workers;
    } else throw new Error(`unknown option ${arg}; usage: npm run stack -- [--production [--workers N] [--tls]]`);
  }
  if (args.workers !== undefined && !args.production) throw new Error('--workers applies to --production only');
  if (args.tls && !args.production) throw new Error('--tls applies to --production only');
  return args;
}
