import fs from 'node:fs';
import type { SimulatorProcess } from '../../stack/simulator-process';
import type { Stack } from '../../stack/start-stack';
import { testStackFile } from '../helpers/test-stack-file';

/** Stops the stack globalSetup started (its data dir stays for debugging; old ones are pruned). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __testStack?: Stack; __workerSimulators?: SimulatorProcess[] };
  await Promise.all((holder.__workerSimulators ?? []).map((simulator) => simulator.stop()));
  holder.__workerSimulators = undefined;
  await holder.__testStack?.stop();
  holder.__testStack = undefined;
  fs.rmSync(testStackFile, { force: true });
}
