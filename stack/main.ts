import path from 'node:path';
import { resolveDataDir } from './resolve-stack-config';
import { findRunningStack } from './running-stack';
import { stackEnvPath } from '../infra/stack-env';
import { startStack } from './start-stack';
import { parseStackArgs } from './stack-options';
import { startProductionStack } from './production/start-production-stack';
import { runToolsStep } from './tools-step';

/**
 * `npm run stack`: the embedded stack in the foreground until Ctrl-C/SIGTERM; with `--production [--workers N]`,
 * the production topology (PostgreSQL, the Temporal server on SQL, the UI server, N worker replicas), its
 * Temporal server with mTLS with `--tls`.
 * If a healthy stack already runs for this data dir, it says so and exits 0
 * (that stack keeps running; stop it where it was started).
 */
async function main(): Promise<void> {
  const envFile = stackEnvPath(resolveDataDir({}));
  if (await findRunningStack(envFile)) {
    console.log(`a stack is already running (see ${envFile}); nothing to do`);
    return;
  }
  const args = parseStackArgs(process.argv.slice(2));
  if (args.production) {
    const stack = await startProductionStack({ workers: args.workers, tls: args.tls });
    const { urls } = stack;
    console.log(`production topology up (${stack.workers.length} worker replica(s) on ${stack.taskQueue}):`);
    console.log(`  Temporal frontend  ${urls.frontend}\n  Temporal UI        ${urls.ui}\n  S3 (SeaweedFS)     ${urls.s3}`);
    console.log(`  Runway             ${urls.runway}\n  codec server       ${urls.codecServer}\n  PostgreSQL         ${urls.postgres}`);
    if (stack.tls)
      console.log(`  mTLS               CA and client certificate in ${path.dirname(stack.tls.caCert)} (TEMPORAL_TLS_* in stack.env)`);
    console.log(`env in ${stack.envFile}; logs in ${stack.productionDir}/logs. Ctrl-C to stop.`);
    stopOnSignals(stack);
    return;
  }
  const { temporalCli, s3Server } = await runToolsStep('demo');
  const stack = await startStack({ tools: { temporalCli, s3Server } });
  console.log(`stack up: env in ${stack.envFile}. Ctrl-C to stop.`);
  stopOnSignals(stack);
}

function stopOnSignals(stack: { stop(): Promise<void> }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.log(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the stack…`);
    stack.stop().then(
      () => {
        console.log('stack stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('stopping the stack failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
