import { CodecServerProcess } from './codec-server-process';
import { assertPortsFree } from './ports';
import { portClaims, resolveStackConfig, startsSimulator, type ResolvedStackConfig } from './resolve-stack-config';
import { S3Server, s3Region } from './s3-server';
import type { ServiceHandle } from './service';
import { SimulatorProcess } from './simulator-process';
import { stackEnvPath, writeStackEnv, type StackEnv } from '../infra/stack-env';
import type { StackOptions, StackPorts } from './stack-options';
import { TemporalServer } from './temporal-server';
import { ensureTool } from './tools';
import { s3ServerSpec, temporalCliSpec } from './tool-specs';

export interface Stack {
  dataDir: string;
  ports: StackPorts;
  /** What stack.env holds: how to reach every service. */
  env: StackEnv;
  envFile: string;
  temporal: TemporalServer;
  s3: S3Server;
  /** Undefined when Runway is an external endpoint (RUNWAYML_BASE_URL). */
  simulator: SimulatorProcess | undefined;
  /** The Web UI's remote codec: the dev server's UI decodes encrypted payloads through it. */
  codecServer: CodecServerProcess;
  /** Path of the Temporal CLI binary (for `temporal operator …` in tests and scripts). */
  temporalCliPath: string;
  /** Stops every running service (reverse start order). */
  stop(): Promise<void>;
}

/**
 * Starts and health-checks the embedded services, writes `<dataDir>/stack.env`,
 * and returns restartable handles. On failure, whatever started is stopped.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const config = await resolveStackConfig(options);
  await assertPortsFree(config.host, portClaims(config));
  const stack = await createStack(config, options);
  const handles = serviceHandlesToStart(stack, config);
  const results = await Promise.allSettled(handles.map((handle) => handle.start()));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await stack.stop();
    throw failure.reason;
  }
  writeStackEnv(stack.envFile, stack.env);
  return stack;
}

async function createStack(config: ResolvedStackConfig, options: StackOptions): Promise<Stack> {
  const tools = await ensureNeededTools(config, options);
  const codecServer = createCodecServer(config);
  const temporal = new TemporalServer({
    cliPath: tools.temporalCli,
    host: config.host,
    port: config.ports.temporal,
    uiPort: config.ports.temporalUi,
    namespace: config.namespace,
    dataDir: config.dataDir,
    uiCodecEndpoint: codecServer.uiEndpoint,
    ...(options.temporalMetricsPort !== undefined ? { metricsPort: options.temporalMetricsPort } : {}),
    log: config.log,
  });
  const s3 = createS3Server(config, tools.s3Server);
  const simulator = config.externalRunwayUrl === undefined ? createSimulator(config) : undefined;
  const runwayBaseUrl = config.externalRunwayUrl ?? simulator?.baseUrl ?? '';
  const services: ServiceHandle[] = [temporal, s3, ...(simulator ? [simulator] : []), codecServer];
  return {
    dataDir: config.dataDir,
    ports: config.ports,
    env: stackEnvOf(config, temporal, s3, codecServer, runwayBaseUrl),
    envFile: stackEnvPath(config.dataDir),
    temporal,
    s3,
    simulator,
    codecServer,
    temporalCliPath: tools.temporalCli,
    stop: () => stopAll(services),
  };
}

/** The Web UI's remote codec; the UI at `ports.temporalUi` is the origin allowed to call it. Shared with the production topology. */
export function createCodecServer(config: ResolvedStackConfig): CodecServerProcess {
  return new CodecServerProcess({
    host: config.host,
    port: config.ports.codecServer,
    payloadCodecKeys: config.secrets.payloadCodecKeys,
    token: config.secrets.codecServerToken,
    uiUrl: `http://${config.host}:${config.ports.temporalUi}`,
    dataDir: config.dataDir,
    log: config.log,
  });
}

/** SeaweedFS under `<dataDir>/seaweedfs` with the stack's keys. Shared with the production topology. */
export function createS3Server(config: ResolvedStackConfig, serverPath: string): S3Server {
  return new S3Server({
    serverPath,
    host: config.host,
    port: config.ports.s3,
    bucket: config.bucket,
    accessKeyId: config.secrets.s3AccessKeyId,
    secretAccessKey: config.secrets.s3SecretAccessKey,
    dataDir: config.dataDir,
    log: config.log,
  });
}

export function createSimulator(config: ResolvedStackConfig): SimulatorProcess {
  return new SimulatorProcess({
    ...config.simulator,
    host: config.host,
    port: config.ports.simulator,
    apiSecret: config.runwayApiSecret,
    dataDir: config.dataDir,
    log: config.log,
  });
}

function serviceHandlesToStart(stack: Stack, config: ResolvedStackConfig): ServiceHandle[] {
  const handles: ServiceHandle[] = [];
  if (config.services.includes('temporal')) handles.push(stack.temporal);
  if (config.services.includes('s3')) handles.push(stack.s3);
  if (stack.simulator && startsSimulator(config)) handles.push(stack.simulator);
  if (config.services.includes('codec-server')) handles.push(stack.codecServer);
  return handles;
}

/** Binaries are only looked up (or built) for services that may run; an unused one gets a placeholder. */
async function ensureNeededTools(config: ResolvedStackConfig, options: StackOptions) {
  const env = options.env ?? process.env;
  const toolOptions = { env, log: config.log };
  const temporalCli = options.tools?.temporalCli ?? (await ensureTool(temporalCliSpec, toolOptions));
  const s3Server =
    options.tools?.s3Server ?? (config.services.includes('s3') ? await ensureTool(s3ServerSpec, toolOptions) : s3ServerSpec.binaryName);
  return { temporalCli, s3Server };
}

/** What `<dataDir>/stack.env` holds; `temporal` is the frontend and its Web UI (the dev server's, or the UI server). */
export function stackEnvOf(
  config: ResolvedStackConfig,
  temporal: { address: string; uiUrl: string },
  s3: S3Server,
  codecServer: CodecServerProcess,
  runwayBaseUrl: string,
): StackEnv {
  return {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: config.namespace,
    TEMPORAL_UI_URL: temporal.uiUrl,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: config.bucket,
    AWS_ACCESS_KEY_ID: config.secrets.s3AccessKeyId,
    AWS_SECRET_ACCESS_KEY: config.secrets.s3SecretAccessKey,
    AWS_REGION: s3Region,
    RUNWAYML_BASE_URL: runwayBaseUrl,
    RUNWAYML_API_SECRET: config.runwayApiSecret,
    // The codec is on in the embedded stack: the worker, the client and the CLI encrypt with this key.
    PAYLOAD_CODEC_KEYS: config.secrets.payloadCodecKeys,
    CODEC_SERVER_URL: codecServer.url,
    CODEC_SERVER_TOKEN: config.secrets.codecServerToken,
  };
}

export async function stopAll(services: readonly { stop(): Promise<void> }[]): Promise<void> {
  for (const service of [...services].reverse()) await service.stop();
}
