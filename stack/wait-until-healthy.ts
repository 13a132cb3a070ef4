import { readLogTail } from './log-tail';
import type { ManagedProcess } from './managed-process';

export interface HealthWait {
  process: ManagedProcess;
  /** Resolves true once the service answers; may throw while it is starting. */
  isHealthy: () => Promise<boolean>;
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `isHealthy` until it answers true. Fails fast, with the end of the
 * service's log, when the process exits or the timeout passes.
 */
export async function waitUntilHealthy(wait: HealthWait): Promise<void> {
  const { spec } = wait.process;
  let exitedEarly: string | undefined;
  void wait.process.whenExited().then((exit) => {
    exitedEarly = `exited (code ${exit.code}, signal ${exit.signal})`;
  });
  const deadline = Date.now() + wait.timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline && exitedEarly === undefined) {
    try {
      if (await wait.isHealthy()) return;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(wait.intervalMs ?? 250);
  }
  const why = exitedEarly ?? `did not become healthy within ${wait.timeoutMs / 1000}s (${lastProblem})`;
  throw new Error(`${spec.service} ${why}; log ${spec.logFile}:\n${readLogTail(spec.logFile)}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
