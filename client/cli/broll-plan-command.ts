import type { Command } from 'commander';
import { loadBrollProjectFile } from '../broll/project-file';
import { describeBrollPlan, draftBrollPlan } from '../broll/plan';
import { out } from './with-client';

/** `broll plan`: what a project will generate and cost, before any spend; needs neither Temporal nor S3. */
export function registerBrollPlanCommand(broll: Command): void {
  broll
    .command('plan')
    .description('plan a B-roll project: segments, keywords, prompts, clip durations and credits (no spend, no connection)')
    .requiredOption('-f, --file <path>', 'B-roll project file (JSON or YAML)')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (options: { file: string; json?: boolean }) => {
      const { project, baseDir } = await loadBrollProjectFile(options.file);
      const plan = await draftBrollPlan(project, baseDir);
      if (options.json) out(JSON.stringify(plan));
      else for (const line of describeBrollPlan(plan)) out(line);
    });
}
