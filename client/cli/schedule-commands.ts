import { Option, type Command } from 'commander';
import type { ScheduleDetails, ScheduleOverview } from '../campaign/schedule-view';
import { checkScheduleFlags, readCampaignFile } from './input';
import { out, withClient } from './with-client';

interface CreateFlags {
  file: string;
  cron?: string;
  every?: string;
  overlap: 'skip' | 'buffer_one' | 'allow_all';
  id?: string;
  paused?: boolean;
  json?: boolean;
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('run a campaign on a cron or interval schedule');

  schedule
    .command('create')
    .description('stage the campaign\'s images once and schedule its runs; each run gets its own campaign id "<id>-<scheduled time>"')
    .requiredOption('-f, --file <path>', 'campaign file (JSON or YAML)')
    .addOption(new Option('--cron <expr>', 'cron expression, e.g. "0 9 * * 1" (Mondays 09:00 UTC)').conflicts('every'))
    .addOption(new Option('--every <duration>', 'interval, e.g. 30m, 6h, 1d').conflicts('cron'))
    .addOption(new Option('--overlap <policy>', 'when a run is still going').choices(['skip', 'buffer_one', 'allow_all']).default('skip'))
    .option('--id <scheduleId>', 'schedule id (default: the campaign id)')
    .option('--paused', 'create it paused')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (flags: CreateFlags) => {
      if (flags.cron === undefined && flags.every === undefined)
        schedule.error('error: schedule create needs --cron <expr> or --every <duration>', { exitCode: 2 });
      const { campaign, baseDir } = await readCampaignFile(flags.file);
      const options = {
        scheduleId: flags.id ?? campaign.campaignId,
        ...(flags.cron !== undefined ? { cron: flags.cron } : {}),
        ...(flags.every !== undefined ? { every: flags.every } : {}),
        overlap: flags.overlap,
        paused: flags.paused ?? false,
      };
      checkScheduleFlags(options);
      await withClient(async (api) => {
        const created = await api.schedules.createSchedule({ campaign, baseDir, ...options });
        if (flags.json) return out(JSON.stringify(created));
        out(
          `created schedule ${created.scheduleId} for campaign ${created.campaignId} (${flags.cron ? `cron "${flags.cron}"` : `every ${flags.every}`}, overlap ${flags.overlap}${flags.paused ? ', paused' : ''})`,
        );
        out(`runs start as workflows ${created.workflowIdPrefix}<scheduled time>`);
      });
    });

  schedule
    .command('list')
    .description('the campaign schedules of this namespace')
    .option('--json', 'write one JSON document on stdout')
    .action(async (flags: { json?: boolean }) => {
      await withClient(async (api) => {
        const schedules = await api.schedules.listSchedules();
        if (flags.json) return out(JSON.stringify({ schedules }));
        if (schedules.length === 0) return out('no schedules');
        for (const entry of schedules) out(overviewLine(entry));
      });
    });

  schedule
    .command('describe <scheduleId>')
    .description('spec, state, recent and upcoming runs')
    .option('--json', 'write one JSON document on stdout')
    .action(async (scheduleId: string, flags: { json?: boolean }) => {
      await withClient(async (api) => {
        const details = await api.schedules.describeSchedule(scheduleId);
        if (flags.json) return out(JSON.stringify(details));
        printDetails(details);
      });
    });

  for (const [name, description] of [
    ['pause', 'stop taking scheduled runs (trigger still works)'],
    ['unpause', 'take scheduled runs again'],
    ['trigger', 'start a run now'],
    ['delete', 'remove the schedule; runs already started go on'],
  ] as const) {
    schedule
      .command(`${name} <scheduleId>`)
      .description(description)
      .option('--json', 'write one JSON document on stdout')
      .action(async (scheduleId: string, flags: { json?: boolean }) => {
        await withClient(async (api) => {
          if (name === 'pause') await api.schedules.pause(scheduleId);
          else if (name === 'unpause') await api.schedules.unpause(scheduleId);
          else if (name === 'trigger') await api.schedules.trigger(scheduleId);
          else await api.schedules.deleteSchedule(scheduleId);
          const done = { pause: 'paused', unpause: 'unpaused', trigger: 'triggered', delete: 'deleted' }[name];
          if (flags.json) out(JSON.stringify({ scheduleId, [done]: true }));
          else out(`${done} schedule ${scheduleId}`);
        });
      });
  }
}

function overviewLine(entry: ScheduleOverview): string {
  const when = entry.cron ? `cron "${entry.cron}"` : entry.every ? `every ${entry.every}` : '';
  const next = entry.paused ? 'paused' : `next ${entry.nextRunTimes[0] ?? '—'}`;
  return `${entry.scheduleId.padEnd(32)} ${(entry.campaignId ?? '').padEnd(24)} ${when.padEnd(22)} ${next}`;
}

function printDetails(details: ScheduleDetails): void {
  out(
    `schedule ${details.scheduleId}: campaign ${details.campaignId ?? '?'} (${details.variants ?? '?'} variants) on ${details.taskQueue ?? '?'}`,
  );
  out(`  when     ${details.cron ? `cron "${details.cron}"` : `every ${details.every ?? '?'}`}, overlap ${details.overlap}`);
  out(
    `  state    ${details.paused ? 'paused' : 'active'}${details.note ? ` (${details.note})` : ''}; ${details.actionsTaken} run(s) taken, ${details.actionsSkippedOverlap} skipped for overlap`,
  );
  for (const time of details.nextRunTimes.slice(0, 3)) out(`  next     ${time}`);
  for (const run of details.recentRuns)
    out(
      `  run      ${run.workflowId}  campaign ${run.campaignId}  at ${run.takenAt}${details.runningWorkflowIds.includes(run.workflowId) ? '  (running)' : ''}`,
    );
}
