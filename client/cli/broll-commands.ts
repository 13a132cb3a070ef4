import { writeFile } from 'node:fs/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { exportProject } from '../broll/export';
import { draftBrollPlan } from '../broll/plan';
import { loadBrollProjectFile } from '../broll/project-file';
import { registerBrollPlanCommand } from './broll-plan-command';
import { BROLL_REVIEW } from '../broll/projects';
import type { BrollProgress, BrollResult } from '../../schemas';
import { InputError } from '../input-error';
import { requireWorkloadId } from '../review/reviewed-workload';
import { printReviewItems, registerReviewCommands } from './review-commands';
import { registerReviewServerCommand } from './review-server-command';
import { err, out, withClient } from './with-client';
import { planned } from './output';

/**
 * The editor's side of a B-roll project from a terminal. Every argument is checked before connecting, so
 * a missing segment or an empty prompt never hides behind "cannot reach Temporal"; the workflow's own
 * refusals (unknown segment, still generating, ended) come back as one line on stderr, exit 2.
 */
export function registerBrollCommands(program: Command): void {
  const broll = program.command('broll').description('plan, generate, review and finalize documentary B-roll projects');
  registerBrollPlanCommand(broll);
  registerReviewServerCommand(broll);
  registerReviewCommands(broll, {
    review: BROLL_REVIEW,
    client: (api) => api.broll,
    printProgress,
    printResult,
    finalize: {
      description: 'write the edit list (EDL, FCP XML, CSV, JSON) and end the project',
      allowUnapproved: 'finalize with segments not yet approved; the edit list lists them',
    },
  });

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
    .command('contact-sheet <projectId>')
    .description('write the contact sheet (a frame of every take) to S3 now; --out also saves it here')
    .option('--out <file>', 'save the JPEG to this file too')
    .option('--json', 'write one JSON document on stdout')
    .action(writeContactSheet);

  broll
    .command('export <projectId>')
    .description(
      'download the selected takes (sha256 checked) and write FCP 7 XML, EDL and CSV beside them: a folder Premiere and Resolve open',
    )
    .requiredOption('--dir <folder>', 'the export folder (created if missing)')
    .option('--media-root <path>', 'the folder as the editing machine sees it: every link in the lists points there')
    .option('--mezzanine <kind>', 'also transcode each clip to prores (ProRes 422 HQ) or dnxhr (DNxHR HQ) and link those')
    .option('--json', 'write one JSON document on stdout')
    .action(async (projectId: string, options: { dir: string; mediaRoot?: string; mezzanine?: string; json?: boolean }) => {
      checkId(projectId);
      if (options.mezzanine !== undefined && options.mezzanine !== 'prores' && options.mezzanine !== 'dnxhr')
        throw new InputError('--mezzanine', `${options.mezzanine} is not a mezzanine: prores (ProRes 422 HQ) or dnxhr (DNxHR HQ)`);
      if (options.mediaRoot !== undefined && options.mediaRoot.trim() === '') throw new InputError('--media-root', 'must not be empty');
      await withClient(async (api) => {
        const progress = await api.broll.progress(projectId);
        const exported = await exportProject(api.options.s3, progress, {
          dir: options.dir,
          fps: progress.fps,
          ...(options.mediaRoot !== undefined ? { mediaRoot: options.mediaRoot } : {}),
          ...(options.mezzanine !== undefined ? { mezzanine: options.mezzanine as 'prores' | 'dnxhr' } : {}),
          log: err,
        });
        if (options.json) return out(JSON.stringify(exported));
        out(`exported ${exported.clips.length} clips to ${exported.dir}`);
        out(`FCP XML: ${exported.xml}`);
        out(`EDL:     ${exported.edl}`);
        out(`CSV:     ${exported.csv}`);
        if (exported.missing.length > 0) out(`no selected take (gaps on the timeline): ${exported.missing.join(', ')}`);
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

/** `broll contact-sheet`: the workflow writes the sheet of the takes it has now; --out saves a copy here. */
async function writeContactSheet(projectId: string, options: { out?: string; json?: boolean }): Promise<void> {
  checkId(projectId);
  await withClient(async (api) => {
    const sheet = await api.broll.contactSheet(projectId);
    if (options.out) await saveObject(api.options.s3, sheet.bucket, sheet.key, options.out);
    if (options.json) return out(JSON.stringify({ ...sheet, ...(options.out ? { file: options.out } : {}) }));
    out(`contact sheet: s3://${sheet.bucket}/${sheet.key} (${sheet.takes} takes)${options.out ? `, saved to ${options.out}` : ''}`);
  });
}

async function saveObject(s3: S3Client, bucket: string, key: string, file: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await writeFile(file, await object.Body!.transformToByteArray());
}

function checkId(projectId: string): void {
  requireWorkloadId(BROLL_REVIEW, projectId);
}

function printProgress(progress: BrollProgress): void {
  const counts = Object.entries(progress.counts)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${state} ${count}`);
  out(
    `${progress.projectId}: ${progress.state}, round ${progress.round}/${progress.maxReviewRounds} — ${counts.join(', ')}; ${progress.creditsSpent} credits`,
  );
  if (progress.reviewDeadline) out(`review deadline: ${progress.reviewDeadline}`);
  printReviewItems(progress);
}

function printResult(result: BrollResult): void {
  out(
    `${result.projectId}: ${result.state}, ${result.entries.length} events, ${result.credits} credits${planned(result.estimatedCredits)}`,
  );
  out(`EDL:  s3://${result.editList.bucket}/${result.editList.edlKey}`);
  out(`XML:  s3://${result.editList.bucket}/${result.editList.xmlKey}`);
  out(`CSV:  s3://${result.editList.bucket}/${result.editList.csvKey}`);
  out(`JSON: s3://${result.editList.bucket}/${result.editList.jsonKey}`);
  if (result.missing.length > 0) out(`missing (no approved clip): ${result.missing.join(', ')}`);
}
