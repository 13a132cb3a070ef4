import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../infra/s3';
import { defaultDataDir } from '../infra/paths';
import { startDedicatedStack } from '../stack/dedicated-stack';
import { pickFreePorts } from '../stack/ports';
import type { Stack } from '../stack/start-stack';
import { makespanSimulatorConfig } from './bench-config';
import { Agent } from 'undici';
import { SimulatorAdmin } from '../simulator/admin-client';

/** The benchmark's own stack: fresh data dir, free ports, the simulator started with the bench config. */
export interface BenchStack {
  stack: Stack;
  /** Its own data dir: gigabytes of archived test objects in the S3 server's volumes by the end, removed after a good run. */
  dataDir: string;
  sim: SimulatorAdmin;
  /** The Temporal server's Prometheus endpoint (bench/server-metrics.ts). */
  serverMetricsUrl: string;
  runwayBaseUrl: string;
  runwayApiSecret: string;
  bucket: string;
  newS3Client(): S3Client;
}

export async function startBenchStack(startedAt: Date, log: (line: string) => void): Promise<BenchStack> {
  const dataDir = path.join(defaultDataDir, `bench-${startedAt.getTime()}`);
  log(`bench: starting a dedicated stack in ${path.relative(process.cwd(), dataDir)}`);
  const [metricsPort] = await pickFreePorts('127.0.0.1', 1);
  const stack = await startDedicatedStack(dataDir, log, { config: makespanSimulatorConfig() }, { temporalMetricsPort: metricsPort! });
  if (!stack.simulator) throw new Error('the benchmark needs the simulator');
  return {
    stack,
    dataDir,
    serverMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    // Its own connections: a socket of undici's global pool opened here would carry no activity context.
    sim: new SimulatorAdmin(stack.simulator.adminUrl, { apiSecret: stack.env.RUNWAYML_API_SECRET, dispatcher: new Agent() }),
    runwayBaseUrl: stack.env.RUNWAYML_BASE_URL,
    runwayApiSecret: stack.env.RUNWAYML_API_SECRET,
    bucket: stack.env.S3_BUCKET,
    newS3Client: () => createS3Client(stack.s3.connection),
  };
}
