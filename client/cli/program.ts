import { Command } from 'commander';
import { registerBrollCommands } from './broll-commands';
import { registerCampaignCommands } from './campaign-commands';
import { registerExplainerCommands } from './explainer-commands';
import { registerScheduleCommands } from './schedule-commands';
import { registerVideoCommands } from './video-commands';

/**
 * The CLI's commands and flags, built without parsing anything or reading the environment: main.ts runs it,
 * and the docs' command check reads its subcommands and flags from it, so the two cannot disagree.
 */
export function buildProgram(): Command {
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
  return program;
}
