import { resolveDataDir } from './resolve-stack-config';
import { findRunningStack } from './running-stack';
import { stackEnvPath, type StackEnv } from '../infra/stack-env';
import { startStack, type Stack } from './start-stack';
import type { StackOptions } from './stack-options';

export interface EnsuredStack {
  env: StackEnv;
  /** True when a stack that was already running (e.g. `npm run stack`) is used. */
  reused: boolean;
  /** The handles, when this call started the stack. */
  stack: Stack | undefined;
  /** Stops the stack if this call started it; a reused stack is left running. */
  stop(): Promise<void>;
}

/** Reuses the stack described by `<dataDir>/stack.env` if it answers, else starts one. */
export async function ensureStack(options: StackOptions = {}): Promise<EnsuredStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const envFile = stackEnvPath(resolveDataDir(options));
  const running = await findRunningStack(envFile, options.env ?? process.env);
  if (running) {
    log(`✔ stack     reused  (already running, see ${envFile})`);
    return { env: running, reused: true, stack: undefined, stop: async () => undefined };
  }
  const stack = await startStack(options);
  return { env: stack.env, reused: false, stack, stop: () => stack.stop() };
}
