import { envWithoutStackOverrides } from '../infra/stack-env';
import type { StackOptions } from './stack-options';
import { startStack, type Stack } from './start-stack';

/**
 * A stack of its own for one run (bench, chaos): its data dir, free ports, the simulator as asked, and none of
 * the caller's stack overrides (a developer's STACK_* or RUNWAYML_BASE_URL must not redirect it).
 */
export function startDedicatedStack(
  dataDir: string,
  log: (line: string) => void,
  simulator: StackOptions['simulator'],
  extra: Pick<StackOptions, 'temporalMetricsPort'> = {},
): Promise<Stack> {
  return startStack({
    ...extra,
    ports: 'auto',
    dataDir,
    runwayBaseUrl: null,
    env: envWithoutStackOverrides(process.env),
    log: (line) => log(`  ${line}`),
    simulator,
  });
}
