import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { ExplainerWorkflow } from '../../workflows';
import { explainerProgressQuery } from '../../workflows/messages';
import { ProjectStateKey, WorkloadIdKey } from '../../workflows/search-attributes';
import {
  explainerWorkflowInputSchema,
  type ExplainerFileInput,
  type ExplainerProgress,
  type ExplainerResult,
  type ExplainerWorkflowInput,
} from '../../schemas';
import { loadExplainerFile, parseExplainerFile } from './explainer-file';
import { planExplainer } from './plan';
import { InputError, inputErrorFromZod } from '../input-error';
import { ReviewedWorkload, type ReviewedWorkloadSpec } from '../review/reviewed-workload';
import { DEFAULT_PRIORITY, temporalPriority } from '../../schemas/priority-classes';

export interface StartedExplainer {
  explainerId: string;
  workflowId: string;
  runId: string;
}

/** How explainers are reviewed: their names in messages, on the CLI and the review page. */
export const EXPLAINER_REVIEW: ReviewedWorkloadSpec = {
  workflowType: ExplainerWorkflow.name,
  workload: 'explainer',
  idField: 'explainerId',
  item: 'chunk',
  itemsField: 'chunks',
  path: 'explainers',
  title: 'explainer',
  finalizeLabel: 'Assemble the explainer',
  contactSheets: false,
  delivered: (result) => {
    const { video, package: scorm } = result as ExplainerResult;
    return { text: `assembled: s3://${video.bucket}/${video.key} and its SCORM package ${scorm.key}`, key: video.key };
  },
};

/**
 * Explainer videos: start a planned explainer, follow it, wait for its MP4, cancel it; with review, the
 * teacher's decisions and the finalize that assembles it (the review room's verbs, as B-roll's, plus
 * `revoice`). The workflow id is the explainer id, and its generations carry it as their WorkloadId, so the
 * Web UI lists them together.
 */
export class Explainers extends ReviewedWorkload<ExplainerProgress, ExplainerResult> {
  readonly reviewSpec = EXPLAINER_REVIEW;

  /**
   * Read, plan (script → chunks, prompts, clip durations, voiceovers; images staged) and start an
   * explainer. Everything is checked before anything starts: bad input costs nothing.
   */
  async start(source: string | ExplainerFileInput, baseDir = process.cwd()): Promise<StartedExplainer> {
    const loaded = typeof source === 'string' ? await loadExplainerFile(source) : { explainer: parseExplainerFile(source), baseDir };
    const input = await planExplainer(loaded.explainer, {
      s3: this.options.s3,
      defaultBucket: this.options.bucket,
      defaultPrefix: this.options.prefix,
      baseDir: loaded.baseDir,
    });
    return this.startPlanned(input);
  }

  /** Start a planned explainer; starting a running one again attaches to it. Bad input is an InputError, before anything starts. */
  async startPlanned(input: ExplainerWorkflowInput): Promise<StartedExplainer> {
    const parsed = explainerWorkflowInputSchema.safeParse(input);
    if (!parsed.success) throw inputErrorFromZod('explainer', parsed.error.issues);
    const plan = parsed.data;
    const handle = await this.options.client.workflow.start(ExplainerWorkflow, {
      workflowId: plan.explainerId,
      taskQueue: this.options.taskQueue,
      args: [{ ...input, taskQueue: plan.taskQueue ?? this.options.taskQueue }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: WorkloadIdKey, value: plan.explainerId },
        { key: ProjectStateKey, value: 'generating' },
      ],
      memo: { chunks: plan.chunks.length, review: plan.review },
      staticSummary: `Explainer ${plan.explainerId}: ${plan.chunks.length} chunks${plan.review ? ', reviewed' : ''}`,
      priority: temporalPriority(plan.options.priority, DEFAULT_PRIORITY.explainer),
    });
    return { explainerId: plan.explainerId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  progress(explainerId: string): Promise<ExplainerProgress> {
    return this.onWorkload(explainerId, () => this.handle(explainerId).query(explainerProgressQuery));
  }

  /** Have a chunk's voiceover made again from new text, said within its clip; the text becomes its caption. */
  revoice(explainerId: string, chunkId: string, text: string): Promise<ExplainerProgress> {
    return this.review(explainerId, [{ key: chunkId, action: 'revoice', text }]);
  }

  waitForResult(explainerId: string): Promise<ExplainerResult> {
    return this.onWorkload(explainerId, () => this.handle(explainerId).result() as Promise<ExplainerResult>);
  }

  /**
   * The explainer's SCORM package, written to `file`: only an explainer that was assembled has one (a running,
   * failed or cancelled one is an InputError saying which), and the bytes must hash to the recorded sha256.
   */
  async downloadPackage(explainerId: string, file: string): Promise<ExplainerResult['package']> {
    const scorm = await this.onWorkload(explainerId, async () => {
      const handle = this.handle(explainerId);
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') {
        const progress = await handle.query(explainerProgressQuery);
        throw new InputError(
          'explainerId',
          `explainer ${explainerId} is not assembled yet (${progress.state}): it has no package until it is`,
        );
      }
      if (status.name !== 'COMPLETED')
        throw new InputError('explainerId', `explainer ${explainerId} was not assembled (${status.name.toLowerCase()}): it has no package`);
      return ((await handle.result()) as ExplainerResult).package;
    });
    const object = await this.options.s3.send(new GetObjectCommand({ Bucket: scorm.bucket, Key: scorm.key }));
    const hash = createHash('sha256');
    await pipeline(
      object.Body as Readable,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file),
    );
    const sha256 = hash.digest('hex');
    if (sha256 !== scorm.sha256) {
      await rm(file, { force: true });
      throw new Error(`s3://${scorm.bucket}/${scorm.key} hashes to ${sha256}, not the recorded ${scorm.sha256}: not written`);
    }
    return scorm;
  }

  /** Cancels the explainer: its generations DELETE their remote Runway tasks and nothing is assembled. */
  async cancel(explainerId: string): Promise<void> {
    await this.onWorkload(explainerId, () => this.handle(explainerId).cancel());
  }
}
