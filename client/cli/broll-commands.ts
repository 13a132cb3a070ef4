import type { Command } from 'commander';
import { draftBrollPlan } from '../broll/plan';
import { loadBrollProjectFile } from '../broll/project-file';
import { registerBrollPlanCommand } from './broll-plan-command';
import { registerBrollReviewCommand } from './broll-review-command';
import { promptTextSchema, type BrollProgress, type BrollResult } from '../../schemas';
import { InputError } from '../input-error';
import { out, withClient } from './with-client';
import { planned } from './output';

/**
 * The editor's side of a B-roll project from a terminal. Every argument is checked before connecting, so
 * a missing segment or an empty prompt never hides behind "cannot reach Temporal"; the workflow's own
 * refusals (unknown segment, still generating, ended) come back as one line on stderr, exit 2.
 */
export function registerBrollCommands(program: Command): void {
  const broll = program.command('broll').description('plan, generate, review and finalize documentary B-roll projects');
  registerBrollPlanCommand(broll);
  registerBrollReviewCommand(broll);

  broll
    .command('start')
    .description('plan a B-roll project and start generating its clips; the editor reviews them afterwards')
    .requiredOption('-f, --file <path>', 'B-roll project file (JSON or YAML)')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (options: { file: string; json?: boolean }) => {
      // The whole plan is checked before connecting: a bad transcript never hides behind "cannot reach Temporal".
      const { project, baseDir } = await loadBrollProjectFile(options.file);
      await draftBrollPlan(project, baseDir);
      await withClient(async (api) => {
        const started = await api.broll.start(project, baseDir);
        if (options.json) out(JSON.stringify(started));
        else out(`started B-roll project ${started.projectId} (workflow ${started.workflowId}, run ${started.runId})`);
      });
    });

  broll
    .command('status <projectId>')
    .description("show a project's segments, round and pending decisions")
    .option('--json', 'write one JSON document on stdout')
    .action(async (projectId: string, options: { json?: boolean }) => {
      checkId(projectId);
      await withClient(async (api) => {
        const progress = await api.broll.progress(projectId);
        if (options.json) return out(JSON.stringify(progress));
        printProgress(progress);
      });
    });

  broll
    .command('approve <projectId> [segments...]')
    .description("approve segments' current clips (or --all of those awaiting review)")
    .option('--all', 'approve every clip awaiting review')
    .option('--json', 'write one JSON document on stdout')
    .action(async (projectId: string, segments: string[], options: { all?: boolean; json?: boolean }) => {
      checkId(projectId);
      if (options.all && segments.length > 0) throw new InputError('--all', 'name segments or pass --all, not both');
      if (!options.all && segments.length === 0) throw new InputError('segments', 'name at least one segment, or pass --all');
      await withClient(async (api) => {
        const progress = await api.broll.approve(projectId, options.all ? 'all' : segments);
        if (options.json) return out(JSON.stringify(progress));
        printProgress(progress);
      });
    });

  broll
    .command('reject <projectId> <segment>')
    .description("reject a segment's clip; it is generated again from the new prompt")
    .requiredOption('--prompt <text>', 'the new prompt for the segment')
    .option('--json', 'write one JSON document on stdout')
    .action(async (projectId: string, segment: string, options: { prompt: string; json?: boolean }) => {
      checkId(projectId);
      const prompt = promptTextSchema.safeParse(options.prompt);
      if (!prompt.success) throw new InputError('--prompt', prompt.error.issues.map((issue) => issue.message).join('; '));
      await withClient(async (api) => {
        const progress = await api.broll.reject(projectId, segment, prompt.data);
        if (options.json) return out(JSON.stringify(progress));
        printProgress(progress);
      });
    });

  broll
    .command('finalize <projectId>')
    .description('write the edit list (EDL, CSV, JSON) and end the project')
    .option('--allow-unapproved', 'finalize with segments not yet approved; the edit list lists them')
    .option('--json', 'write one JSON document on stdout')
    .action(async (projectId: string, options: { allowUnapproved?: boolean; json?: boolean }) => {
      checkId(projectId);
      await withClient(async (api) => {
        const result = await api.broll.finalize(projectId, { allowUnapproved: options.allowUnapproved ?? false });
        if (options.json) return out(JSON.stringify(result));
        printResult(result);
      });
    });

  broll
    .command('cancel <projectId>')
    .description('cancel a project; its remote Runway tasks are deleted')
    .option('--json', 'write one JSON document on stdout')
    .action(async (projectId: string, options: { json?: boolean }) => {
      checkId(projectId);
      await withClient(async (api) => {
        await api.broll.cancel(projectId);
        if (options.json) return out(JSON.stringify({ projectId, cancelRequested: true }));
        out(`cancellation requested for ${projectId}`);
      });
    });
}

function checkId(projectId: string): void {
  if (projectId.trim() === '') throw new InputError('projectId', 'a project id is required');
}

function printProgress(progress: BrollProgress): void {
  const counts = Object.entries(progress.counts)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${state} ${count}`);
  out(
    `${progress.projectId}: ${progress.state}, round ${progress.round}/${progress.maxReviewRounds} — ${counts.join(', ')}; ${progress.creditsSpent} credits`,
  );
  if (progress.reviewDeadline) out(`review deadline: ${progress.reviewDeadline}`);
  for (const segment of progress.segments)
    out(
      `  ${segment.segmentId.padEnd(12)} ${segment.state.padEnd(16)} r${segment.round} ${segment.clip ? segment.clip.key : (segment.error ?? '')}`.trimEnd(),
    );
}

function printResult(result: BrollResult): void {
  out(
    `${result.projectId}: ${result.state}, ${result.entries.length} events, ${result.credits} credits${planned(result.estimatedCredits)}`,
  );
  out(`EDL:  s3://${result.editList.bucket}/${result.editList.edlKey}`);
  out(`CSV:  s3://${result.editList.bucket}/${result.editList.csvKey}`);
  out(`JSON: s3://${result.editList.bucket}/${result.editList.jsonKey}`);
  if (result.missing.length > 0) out(`missing (no approved clip): ${result.missing.join(', ')}`);
}
