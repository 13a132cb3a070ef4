#!/usr/bin/env node
import { loadStackEnv } from '../../infra/stack-env';
import { reportFailure } from './failure';
import { buildProgram } from './program';

async function main(argv: string[]): Promise<void> {
  loadStackEnv();
  await buildProgram().parseAsync(argv);
}

main(process.argv).catch((error: unknown) => process.exit(reportFailure(error)));
