import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { RunwayTemporal } from '../../client';
import { productDataConverter } from '../../infra/data-converter';
import { defaultDataDir } from '../../infra/paths';
import { codecKeysFromEnv } from '../../infra/payload-codec';
import { createS3Client } from '../../infra/s3';
import { envWithoutStackOverrides, readStackEnv } from '../../infra/stack-env';
import { temporalConnectionOptions } from '../../infra/temporal';
import { parseEnv, temporalEnvSchema } from '../../schemas/env';
import type { SimulatorSnapshot } from '../../simulator/state';
import { startProductionStack, type ProductionStack } from '../../stack/production/start-production-stack';
import { FAST_SIMULATOR } from '../helpers/simulator-admin';

/** The production topology of one test file, the product's client on it (codec key from its stack.env), and its simulator's admin API. */
export interface ProductionUnderTest {
  stack: ProductionStack;
  api: RunwayTemporal;
  simulator: ProductionSimulatorAdmin;
  stop(): Promise<void>;
}

export interface ProductionSimulatorAdmin {
  reset(config?: Record<string, unknown>): Promise<unknown>;
  stats(): Promise<SimulatorSnapshot>;
  liveStats(): Promise<Pick<SimulatorSnapshot, 'currentLive' | 'maxLive'>>;
}

/**
 * Starts the production topology (PostgreSQL, the Temporal server on SQL persistence and visibility, the UI server,
 * the codec server, SeaweedFS, the simulator, `workers` replicas on `taskQueue`) on ports of its own, beside the jest
 * run's dev stack, in a data dir named after the file.
 */
export async function startProductionUnderTest(options: {
  name: string;
  taskQueue: string;
  workers: number;
  workerEnv?: Record<string, string>;
  /** The Temporal server with mTLS; the client connects with stack.env's TEMPORAL_TLS_* as any client would. */
  tls?: boolean;
  /** Dynamic config values over the topology's own (deploy/temporal/dynamicconfig.yaml). */
  dynamicConfig?: Record<string, unknown>;
}): Promise<ProductionUnderTest> {
  const stack = await startProductionStack({
    dataDir: path.join(defaultDataDir, `production-${options.name}-${Date.now()}`),
    ports: 'auto',
    workers: options.workers,
    taskQueue: options.taskQueue,
    runwayBaseUrl: null,
    simulator: { timeScale: FAST_SIMULATOR.timeScale },
    env: { ...envWithoutStackOverrides(process.env), SIM_CONFIG: '' },
    workerEnv: options.workerEnv,
    tls: options.tls ?? false,
    ...(options.dynamicConfig ? { dynamicConfig: options.dynamicConfig } : {}),
    log: () => undefined,
  });
  try {
    // What stack.env says (codec key included); the topology's S3 keys given explicitly: this process's AWS_*
    // variables are the jest run's dev stack's.
    const env = readStackEnv(stack.envFile);
    const dataConverter = productDataConverter(codecKeysFromEnv(env));
    const api = new RunwayTemporal({
      client: new Client({
        connection: await Connection.connect(temporalConnectionOptions(parseEnv(temporalEnvSchema, env))),
        namespace: env.TEMPORAL_NAMESPACE,
        ...(dataConverter ? { dataConverter } : {}),
      }),
      s3: createS3Client(stack.s3.connection),
      taskQueue: options.taskQueue,
      bucket: env.S3_BUCKET!,
      prefix: '',
    });
    return {
      stack,
      api,
      simulator: simulatorAdmin(stack),
      stop: async () => {
        await api.close();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

function simulatorAdmin(stack: ProductionStack): ProductionSimulatorAdmin {
  const admin = async <T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> => {
    const response = await request(`${stack.simulator!.adminUrl}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`simulator admin ${method} ${route}: ${response.statusCode} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    reset: (config = {}) => admin('POST', '/reset', { apiSecret: stack.env.RUNWAYML_API_SECRET, ...FAST_SIMULATOR, ...config }),
    stats: () => admin('GET', '/stats'),
    liveStats: () => admin('GET', '/stats?tasks=false'),
  };
}
