import type { Command } from 'commander';
import { loadExplainerFile } from '../explainer/explainer-file';
import { EXPLAINER_REVIEW } from '../explainer/explainers';
import { draftExplainerPlan } from '../explainer/plan';
import { registerExplainerPlanCommand } from './explainer-plan-command';
import { narrationTextSchema, type ExplainerProgress, type ExplainerResult } from '../../schemas';
import { InputError } from '../input-error';
import { requireWorkloadId } from '../review/reviewed-workload';
import { printReviewItems, registerReviewCommands } from './review-commands';
import { registerReviewServerCommand } from './review-server-command';
import { watchExplainer } from './watch';
import { out, withClient } from './with-client';
import { planned } from './output';

/**
 * Follow and cancel explainer videos from a terminal; with review, the teacher's decisions (the review
 * room's verbs, as B-roll's, plus `revoice`) and the finalize that assembles it. The id is checked before
 * connecting, so a missing argument never hides behind "cannot reach Temporal".
 */
export function registerExplainerCommands(program: Command): void {
  const explainer = program.command('explainer').description('plan, start, follow, review and cancel narrated explainer videos');
  registerExplainerPlanCommand(explainer);
  registerReviewServerCommand(explainer);
  registerReviewCommands(explainer, {
    review: EXPLAINER_REVIEW,
    client: (api) => api.explainers,
    printProgress,
    printResult,
    finalize: {
      description: 'close the review and assemble the explainer: the MP4, its subtitles and its SCORM package',
      allowUnapproved: 'assemble with chunks not yet approved (each needs a finished clip and voiceover): the result lists them',
    },
  });

  explainer
    .command('revoice <explainerId> <chunk>')
    .description("redo a chunk's voiceover with new text, said within its clip; the text becomes its caption")
    .requiredOption('--text <text>', 'the new narration')
    .option('--json', 'write one JSON document on stdout')
    .action(async (explainerId: string, chunk: string, options: { text: string; json?: boolean }) => {
      checkId(explainerId);
      const text = narrationTextSchema.safeParse(options.text);
      if (!text.success) throw new InputError('--text', text.error.issues.map((issue) => issue.message).join('; '));
      await withClient(async (api) => {
        const progress = await api.explainers.revoice(explainerId, chunk, text.data);
        if (options.json) return out(JSON.stringify(progress));
        printProgress(progress);
      });
    });

  explainer
    .command('start')
    .description('plan an explainer and start it: a clip and a voiceover per chunk, then one narrated MP4')
    .requiredOption('-f, --file <path>', 'explainer file (JSON or YAML)')
    .option('-w, --wait', 'follow it with a progress bar until the MP4 is assembled (with review, until it is finalized)')
    .option('--json', 'write one JSON document on stdout and nothing else')
    .action(async (options: { file: string; wait?: boolean; json?: boolean }) => {
      // The whole plan is checked before connecting: a bad script never hides behind "cannot reach Temporal".
      const { explainer: file, baseDir } = await loadExplainerFile(options.file);
      await draftExplainerPlan(file, baseDir);
      await withClient(async (api) => {
        const started = await api.explainers.start(file, baseDir);
        if (!options.wait) {
          if (options.json) out(JSON.stringify(started));
          else out(`started explainer ${started.explainerId} (workflow ${started.workflowId}, run ${started.runId})`);
          return;
        }
        const result = options.json
          ? await api.explainers.waitForResult(started.explainerId)
          : await watchExplainer(api, started.explainerId);
        if (options.json) return out(JSON.stringify(result));
        printResult(result);
      });
    });

  explainer
    .command('status <explainerId>')
    .description("show an explainer's stage and each chunk's clip and voiceover")
    .option('--json', 'write one JSON document on stdout')
    .action(async (explainerId: string, options: { json?: boolean }) => {
      checkId(explainerId);
      await withClient(async (api) => {
        const progress = await api.explainers.progress(explainerId);
        if (options.json) return out(JSON.stringify(progress));
        printProgress(progress);
      });
    });

  explainer
    .command('watch <explainerId>')
    .description('a live progress bar until the explainer is assembled; then its MP4, duration and subtitles')
    .option('--json', 'write the final record as one JSON document on stdout')
    .action(async (explainerId: string, options: { json?: boolean }) => {
      checkId(explainerId);
      await withClient(async (api) => {
        const result = await watchExplainer(api, explainerId);
        if (options.json) return out(JSON.stringify(result));
        printResult(result);
      });
    });

  explainer
    .command('package <explainerId>')
    .description("download an assembled explainer's SCORM 1.2 package, the zip an LMS imports")
    .requiredOption('-o, --out <file>', 'where to write the zip, e.g. why-the-sky-is-blue.zip')
    .option('--json', 'write one JSON document on stdout')
    .action(async (explainerId: string, options: { out: string; json?: boolean }) => {
      checkId(explainerId);
      await withClient(async (api) => {
        const scorm = await api.explainers.downloadPackage(explainerId, options.out);
        if (options.json) return out(JSON.stringify({ ...scorm, file: options.out }));
        out(`${options.out}: SCORM 1.2 package of ${explainerId}, ${scorm.bytes} bytes, sha256 ${scorm.sha256}`);
      });
    });

  explainer
    .command('cancel <explainerId>')
    .description('cancel an explainer; its remote Runway tasks are deleted and nothing is assembled')
    .option('--json', 'write one JSON document on stdout')
    .action(async (explainerId: string, options: { json?: boolean }) => {
      checkId(explainerId);
      await withClient(async (api) => {
        await api.explainers.cancel(explainerId);
        if (options.json) return out(JSON.stringify({ explainerId, cancelRequested: true }));
        out(`cancellation requested for ${explainerId}`);
      });
    });
}

function checkId(explainerId: string): void {
  requireWorkloadId(EXPLAINER_REVIEW, explainerId);
}

function printProgress(progress: ExplainerProgress): void {
  out(`${progress.explainerId}: ${progress.state}, ${progress.done}/${progress.total} generations done; ${progress.creditsSpent} credits`);
  if (progress.review) {
    out(`review round ${progress.round}/${progress.maxReviewRounds}; ${progress.pendingDecisions.length} chunks await a decision`);
    return printReviewItems(progress);
  }
  for (const chunk of progress.chunks)
    out(
      `  ${chunk.chunkId.padEnd(12)} clip ${chunk.clip.padEnd(12)} voiceover ${chunk.voiceover.padEnd(12)} ${chunk.error ?? ''}`.trimEnd(),
    );
}

function printResult(result: ExplainerResult): void {
  out(
    `${result.explainerId}: ${result.chunks.length} chunks, ${result.video.durationSeconds.toFixed(2)} s, ${result.credits} credits${planned(result.estimatedCredits)}`,
  );
  out(`MP4:       s3://${result.video.bucket}/${result.video.key}`);
  out(`duration:  ${result.video.durationSeconds.toFixed(2)} s`);
  out(`subtitles: s3://${result.subtitles.bucket}/${result.subtitles.key}`);
  out(`SCORM:     s3://${result.package.bucket}/${result.package.key} (explainer package ${result.explainerId} --out <file>.zip)`);
  if (result.unapproved.length > 0) out(`assembled without the teacher's approval: ${result.unapproved.join(', ')}`);
}
