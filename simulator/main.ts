import { z } from 'zod';
import { mergeConfig, type SimulatorConfigInput } from './config';
import { startSimulator } from './server';

/**
 * `npm run simulator`: the simulator on its own, configured from the environment.
 * SIM_CONFIG (JSON) sets anything; the specific SIM_* variables override it.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): SimulatorConfigInput {
  const fromJson: unknown = env.SIM_CONFIG ? JSON.parse(env.SIM_CONFIG) : {};
  const specific = {
    host: env.SIM_HOST,
    port: numberFrom(env.SIM_PORT),
    apiSecret: env.SIM_API_SECRET,
    timeScale: numberFrom(env.SIM_TIME_SCALE),
    seed: numberFrom(env.SIM_SEED),
    concurrency: numberFrom(env.SIM_CONCURRENCY),
    publicUrl: env.SIM_PUBLIC_URL,
    mediaCacheDir: env.SIM_MEDIA_CACHE,
  };
  // Without SIM_PUBLIC_URL the server uses the address it listens on.
  return mergeConfig(fromJson, specific) as SimulatorConfigInput;
}

function numberFrom(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`not a number: ${value}`);
  return parsed;
}

async function main(): Promise<void> {
  const simulator = await startSimulator(configFromEnv(process.env));
  console.log(`simulator ready on ${simulator.url}`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`simulator: ${signal}, shutting down`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('simulator: close failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof z.ZodError ? `simulator: invalid config\n${z.prettifyError(error)}` : error);
    process.exit(1);
  });
}
