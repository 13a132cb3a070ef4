import type { Command } from 'commander';
import { readCampaignFile } from './input';
import { campaignResultJson, printCampaignSummary } from './output';
import { watchCampaign } from './watch';
import { err, out, withClient } from './with-client';

export function registerCampaignCommands(program: Command): void {
  const campaign = program.command('campaign').description('start, watch and cancel campaigns');

  campaign
    .command('start')
    .description('validate a campaign file and start it')
    .requiredOption('-f, --file <path>', 'campaign file (JSON or YAML)')
    .option('-w, --wait', 'wait for the campaign to finish')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (options: { file: string; wait?: boolean; json?: boolean }) => {
      const { campaign, baseDir } = await readCampaignFile(options.file);
      await withClient(async (api) => {
        const started = await api.startParsedCampaign(campaign, baseDir);
        if (!options.wait) {
          if (options.json) out(JSON.stringify(started));
          else out(`started campaign ${started.campaignId} (workflow ${started.workflowId}, run ${started.runId})`);
          return;
        }
        if (!options.json) err(`campaign ${started.campaignId} started; waiting…`);
        const result = options.json ? await api.waitForResult(started.campaignId) : await watchCampaign(api, started.campaignId);
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
        const progress = await api.getProgress(campaignId);
        if (options.json) return out(JSON.stringify(progress));
        const counts = Object.entries(progress.counts)
          .filter(([, count]) => count > 0)
          .map(([state, count]) => `${state} ${count}`);
        out(`${progress.campaignId}: ${progress.total} variants — ${counts.join(', ')}`);
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
        await api.cancel(campaignId);
        out(`cancellation requested for ${campaignId}`);
      });
    });
}
