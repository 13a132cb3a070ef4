import fs from 'node:fs';
import path from 'node:path';
import type { StackEnv } from '../../infra/stack-env';

/**
 * jest's globalSetup runs apart from the test files, so the stack it starts
 * is described in this git-ignored file for the tests to read.
 */
export const testStackFile = path.resolve(__dirname, '..', '.stack-env.json');

/** A simulator of its own for each jest worker (files running side by side reset and count it). */
export interface TestSimulator {
  runwayBaseUrl: string;
  simulatorAdminUrl: string;
}

export interface TestStackInfo {
  temporalAddress: string;
  namespace: string;
  temporalUiUrl: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };
  runwayBaseUrl: string;
  runwayApiSecret: string;
  /** `<runwayBaseUrl>/__sim`: stats and fault controls of the simulator. */
  simulatorAdminUrl: string;
  dataDir: string;
  temporalCliPath: string;
  /** The same values as `<dataDir>/stack.env`. */
  env: StackEnv;
}

/** What globalSetup writes: the stack, and the simulator of each jest worker (index 0 is the stack's own). */
export interface TestStackFile extends TestStackInfo {
  simulators: TestSimulator[];
}

export function writeTestStackFile(info: TestStackFile): void {
  fs.writeFileSync(testStackFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** The stack as this jest worker sees it: its own simulator in place of the stack's (runwayBaseUrl, simulatorAdminUrl). */
export function readTestStackFile(): TestStackInfo {
  if (!fs.existsSync(testStackFile)) {
    throw new Error(`${testStackFile} is missing: run tests through jest (its globalSetup starts the stack)`);
  }
  const { simulators, ...info } = JSON.parse(fs.readFileSync(testStackFile, 'utf8')) as TestStackFile;
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const simulator = simulators[(worker - 1) % simulators.length] ?? simulators[0];
  if (!simulator) return info;
  // `env` stays what stack.env holds: the file the stack wrote, which names the stack's own simulator.
  return { ...info, ...simulator };
}
