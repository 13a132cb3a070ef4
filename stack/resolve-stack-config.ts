import path from 'node:path';
import { readStackEnvConfig, type StackEnvConfig } from './config';
import { defaultDataDir } from '../infra/paths';
import { loadOrCreateSecrets, type StackSecrets } from './persistent-secrets';
import { pickFreePorts, type PortClaim } from './ports';
import type { ServiceName } from './service';
import type { SimulatorTuning } from './simulator-process';
import type { StackOptions, StackPorts } from './stack-options';

const allServices: readonly ServiceName[] = ['temporal', 's3', 'simulator', 'codec-server'];

export interface ResolvedStackConfig {
  dataDir: string;
  host: string;
  namespace: string;
  bucket: string;
  ports: StackPorts;
  services: readonly ServiceName[];
  /** Set when Runway is reached at an external endpoint instead of the simulator. */
  externalRunwayUrl: string | undefined;
  runwayApiSecret: string;
  simulator: SimulatorTuning & { entry: string };
  secrets: StackSecrets;
  log: (line: string) => void;
}

/** Options over environment over defaults; creates the data dir and its secrets on first use. */
export async function resolveStackConfig(options: StackOptions): Promise<ResolvedStackConfig> {
  const envConfig = readStackEnvConfig(options.env ?? process.env);
  const dataDir = resolveDataDir(options, envConfig);
  const secrets = loadOrCreateSecrets(dataDir);
  const host = options.host ?? envConfig.STACK_HOST;
  const externalRunwayUrl = options.runwayBaseUrl === undefined ? envConfig.RUNWAYML_BASE_URL : (options.runwayBaseUrl ?? undefined);
  return {
    dataDir,
    host,
    namespace: options.namespace ?? envConfig.TEMPORAL_NAMESPACE,
    bucket: options.bucket ?? envConfig.S3_BUCKET,
    ports: await resolvePorts(options, envConfig, host),
    services: options.services ?? allServices,
    externalRunwayUrl,
    runwayApiSecret: resolveRunwayApiSecret(options, envConfig, secrets, externalRunwayUrl),
    simulator: resolveSimulatorTuning(options, envConfig),
    secrets,
    log: options.log ?? ((line: string) => console.log(line)),
  };
}

/** The ports of the services that will be started, named for a clear "port in use" error. */
export function portClaims(config: ResolvedStackConfig): PortClaim[] {
  const { ports, services } = config;
  const claims: PortClaim[] = [];
  if (services.includes('temporal')) {
    claims.push({ port: ports.temporal, service: 'Temporal frontend', envVar: 'TEMPORAL_PORT' });
    claims.push({ port: ports.temporalUi, service: 'Temporal Web UI', envVar: 'TEMPORAL_UI_PORT' });
  }
  if (services.includes('s3')) claims.push({ port: ports.s3, service: 'S3 server', envVar: 'S3_PORT' });
  if (startsSimulator(config)) claims.push({ port: ports.simulator, service: 'Runway simulator', envVar: 'SIM_PORT' });
  if (services.includes('codec-server')) claims.push({ port: ports.codecServer, service: 'codec server', envVar: 'CODEC_SERVER_PORT' });
  return claims;
}

export function startsSimulator(config: ResolvedStackConfig): boolean {
  return config.externalRunwayUrl === undefined && config.services.includes('simulator');
}

/** The data dir the options point at: option, STACK_DATA_DIR, else `<repo>/.data`. */
export function resolveDataDir(options: StackOptions, envConfig = readStackEnvConfig(options.env ?? process.env)): string {
  const configured = options.dataDir ?? envConfig.STACK_DATA_DIR;
  return configured ? path.resolve(configured) : defaultDataDir;
}

async function resolvePorts(options: StackOptions, envConfig: StackEnvConfig, host: string): Promise<StackPorts> {
  if (options.ports === 'auto') {
    const [temporal, temporalUi, s3, simulator, codecServer] = await pickFreePorts(host, 5);
    if (!temporal || !temporalUi || !s3 || !simulator || !codecServer) throw new Error('could not pick free ports');
    return { temporal, temporalUi, s3, simulator, codecServer };
  }
  return {
    temporal: options.ports?.temporal ?? envConfig.TEMPORAL_PORT,
    temporalUi: options.ports?.temporalUi ?? envConfig.TEMPORAL_UI_PORT,
    s3: options.ports?.s3 ?? envConfig.S3_PORT,
    simulator: options.ports?.simulator ?? envConfig.SIM_PORT,
    codecServer: options.ports?.codecServer ?? envConfig.CODEC_SERVER_PORT,
  };
}

function resolveRunwayApiSecret(
  options: StackOptions,
  envConfig: StackEnvConfig,
  secrets: StackSecrets,
  externalRunwayUrl: string | undefined,
): string {
  if (externalRunwayUrl !== undefined && envConfig.RUNWAYML_API_SECRET) return envConfig.RUNWAYML_API_SECRET;
  return options.simulator?.apiSecret ?? envConfig.SIM_API_SECRET ?? secrets.simulatorApiSecret;
}

function resolveSimulatorTuning(options: StackOptions, envConfig: StackEnvConfig): SimulatorTuning & { entry: string } {
  const tuning = options.simulator ?? {};
  return {
    entry: tuning.entry ?? envConfig.SIM_ENTRY,
    timeScale: tuning.timeScale ?? envConfig.SIM_TIME_SCALE,
    seed: tuning.seed ?? envConfig.SIM_SEED,
    concurrency: tuning.concurrency ?? envConfig.SIM_CONCURRENCY,
    config: tuning.config ?? envConfig.SIM_CONFIG,
  };
}
