import fs from 'node:fs';
import path from 'node:path';
import type { StackEnv } from '../../infra/stack-env';

/**
 * jest's globalSetup runs apart from the test files, so the stack it starts
 * is described in this git-ignored file for the tests to read.
 */
export const testStackFile = path.resolve(__dirname, '..', '.stack-env.json');

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

export function writeTestStackFile(info: TestStackInfo): void {
  fs.writeFileSync(testStackFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

export function readTestStackFile(): TestStackInfo {
  if (!fs.existsSync(testStackFile)) {
    throw new Error(`${testStackFile} is missing: run tests through jest (its globalSetup starts the stack)`);
  }
  return JSON.parse(fs.readFileSync(testStackFile, 'utf8')) as TestStackInfo;
}
