#!/usr/bin/env node
import { Command } from 'commander';
import { loadStackEnv } from '../../stack/stack-env';
import { registerCampaignCommands } from './campaign-commands';
import { reportFailure } from './failure';

async function main(argv: string[]): Promise<void> {
  loadStackEnv();
  const program = new Command('runway-temporal')
    .description('Durable, credit-safe Runway video generation on Temporal')
    .showHelpAfterError()
    .exitOverride();
  registerCampaignCommands(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => process.exit(reportFailure(error)));
