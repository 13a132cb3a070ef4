import type { Command } from 'commander';
import { loadExplainerFile } from '../explainer/explainer-file';
import { describeExplainerPlan, draftExplainerPlan } from '../explainer/plan';
import { out } from './with-client';

/** `explainer plan`: the chunks, prompts, clip durations and credits of an explainer, before any spend; needs neither Temporal nor S3. */
export function registerExplainerPlanCommand(explainer: Command): void {
  explainer
    .command('plan')
    .description('plan an explainer: narration chunks, visual prompts, clip durations and credits (no spend, no connection)')
    .requiredOption('-f, --file <path>', 'explainer file (JSON or YAML)')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (options: { file: string; json?: boolean }) => {
      const { explainer: file, baseDir } = await loadExplainerFile(options.file);
      const plan = await draftExplainerPlan(file, baseDir);
      if (options.json) out(JSON.stringify(plan));
      else for (const line of describeExplainerPlan(plan)) out(line);
    });
}
