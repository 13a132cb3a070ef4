#!/usr/bin/env node
import { Command } from 'commander';
import { loadStackEnv } from '../../infra/stack-env';
import { registerBrollCommands } from './broll-commands';
import { registerCampaignCommands } from './campaign-commands';
import { registerExplainerCommands } from './explainer-commands';
import { reportFailure } from './failure';
import { registerScheduleCommands } from './schedule-commands';
import { registerVideoCommands } from './video-commands';

async function main(argv: string[]): Promise<void> {
  loadStackEnv();
  const program = new Command('runway-temporal')
    .description('Durable, credit-safe Runway video generation on Temporal')
    // One line on stderr for a usage error (commander puts "Did you mean…?" on a line of its own).
    .configureOutput({ outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`) })
    .exitOverride();
  registerCampaignCommands(program);
  registerVideoCommands(program);
  registerScheduleCommands(program);
  registerBrollCommands(program);
  registerExplainerCommands(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => process.exit(reportFailure(error)));
