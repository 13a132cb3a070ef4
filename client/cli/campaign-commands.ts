import { extname } from 'node:path';
import type { Command } from 'commander';
import { loadCampaignJsonl } from '../campaign/campaign-jsonl';
import { checkCampaignImages, type CampaignSource } from '../campaign/campaign-plan';
import { readCampaignFile } from './input';
import { campaignResultJson, printCampaignSummary } from './output';
import { watchCampaign } from './watch';
import { err, out, withClient } from './with-client';

export function registerCampaignCommands(program: Command): void {
  const campaign = program.command('campaign').description('start, watch and cancel campaigns');

  campaign
    .command('start')
    .description('validate a campaign file and start it')
    .requiredOption('-f, --file <path>', 'campaign file (JSON, YAML, or JSONL: a header line, then one variant a line)')
    .option('-w, --wait', 'wait for the campaign to finish')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (options: { file: string; wait?: boolean; json?: boolean }) => {
      const { campaign, baseDir } =
        extname(options.file).toLowerCase() === '.jsonl' ? await readJsonlCampaign(options.file) : await readCampaignFile(options.file);
      await withClient(async (api) => {
        const started = await api.campaigns.startParsed(campaign, baseDir);
        if (!options.wait) {
          if (options.json) out(JSON.stringify(started));
          else out(`started campaign ${started.campaignId} (workflow ${started.workflowId}, run ${started.runId})`);
          return;
        }
        if (!options.json) err(`campaign ${started.campaignId} started; waiting…`);
        const result = options.json ? await api.campaigns.waitForResult(started.campaignId) : await watchCampaign(api, started.campaignId);
        if (options.json) out(JSON.stringify(campaignResultJson(result)));
        else printCampaignSummary(result, out);
        process.exitCode = result.failed === 0 ? 0 : 1;
      });
    });

  campaign
    .command('status <campaignId>')
    .description("show a campaign's progress")
    .option('--json', 'write one JSON document on stdout')
    .action(async (campaignId: string, options: { json?: boolean }) => {
      await withClient(async (api) => {
        const progress = await api.campaigns.progress(campaignId);
        if (options.json) return out(JSON.stringify(progress));
        const counts = Object.entries(progress.counts)
          .filter(([, count]) => count > 0)
          .map(([state, count]) => `${state} ${count}`);
        out(`${progress.campaignId}: ${progress.total} variants — ${counts.join(', ')}`);
        if (progress.runs !== undefined)
          out(
            `  started ${progress.started ?? 0}, open ${progress.open ?? 0} (most at once ${progress.maxOpen ?? 0}), run ${progress.runs}`,
          );
        // Open variants and the most recent ends: a large campaign lists the rest in its manifest.
        for (const variant of progress.variants)
          out(
            `  ${variant.variantId.padEnd(24)} ${variant.state.padEnd(12)} ${variant.runwayTaskId ?? ''} ${variant.error ?? ''}`.trimEnd(),
          );
      });
    });

  campaign
    .command('watch <campaignId>')
    .description('a live progress bar until the campaign ends')
    .action(async (campaignId: string) => {
      await withClient(async (api) => {
        const result = await watchCampaign(api, campaignId);
        printCampaignSummary(result, out);
        process.exitCode = result.failed === 0 ? 0 : 1;
      });
    });

  campaign
    .command('cancel <campaignId>')
    .description('cancel a campaign; its remote Runway tasks are deleted')
    .action(async (campaignId: string) => {
      await withClient(async (api) => {
        await api.campaigns.cancel(campaignId);
        out(`cancellation requested for ${campaignId}`);
      });
    });
}

/** A JSONL campaign validated line by line and its images checked, before anything connects. */
async function readJsonlCampaign(file: string): Promise<{ campaign: CampaignSource; baseDir: string }> {
  const { source, baseDir } = await loadCampaignJsonl(file);
  await checkCampaignImages(source, baseDir);
  return { campaign: source, baseDir };
}
