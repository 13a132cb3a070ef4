import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { BrollWorkflow } from '../../workflows';
import { brollProgressQuery, contactSheetUpdate } from '../../workflows/messages';
import { WorkloadIdKey, ProjectStateKey } from '../../workflows/search-attributes';
import {
  brollWorkflowInputSchema,
  type BrollProgress,
  type BrollProjectFileInput,
  type BrollResult,
  type BrollWorkflowInput,
  type ContactSheetRef,
} from '../../schemas';
import { inputErrorFromZod } from '../input-error';
import { ReviewedWorkload, type ReviewedWorkloadSpec } from '../review/reviewed-workload';
import { planBroll } from './plan';
import { loadBrollProjectFile, parseBrollProjectFile } from './project-file';
import { DEFAULT_PRIORITY, temporalPriority } from '../../schemas/priority-classes';

export interface StartedProject {
  projectId: string;
  workflowId: string;
  runId: string;
}

/** How B-roll projects are reviewed: their names in messages, on the CLI and the review page. */
export const BROLL_REVIEW: ReviewedWorkloadSpec = {
  workflowType: BrollWorkflow.name,
  workload: 'project',
  idField: 'projectId',
  item: 'segment',
  itemsField: 'segments',
  path: 'projects',
  title: 'B-roll project',
  finalizeLabel: 'Finalize the edit list',
  contactSheets: true,
  delivered: (result) => {
    const { editList } = result as BrollResult;
    return { text: `finalized: s3://${editList.bucket}/${editList.edlKey}`, key: editList.edlKey };
  },
};

/**
 * B-roll projects: start a planned project, follow it, send the editor's decisions and finalize (the review
 * room's verbs, ReviewedWorkload). The workflow's own validators decide what a review may do; their
 * refusals come back as InputErrors whose message is the validator's, naming the segment and why.
 */
export class BrollProjects extends ReviewedWorkload<BrollProgress, BrollResult> {
  readonly reviewSpec = BROLL_REVIEW;

  /**
   * Read, plan (transcript → segments, keywords, prompts, durations; images staged) and start a project.
   * Everything is checked before anything starts: bad input costs nothing.
   */
  async start(source: string | BrollProjectFileInput, baseDir = process.cwd()): Promise<StartedProject> {
    const loaded = typeof source === 'string' ? await loadBrollProjectFile(source) : { project: parseBrollProjectFile(source), baseDir };
    const input = await planBroll(loaded.project, {
      s3: this.options.s3,
      defaultBucket: this.options.bucket,
      defaultPrefix: this.options.prefix,
      baseDir: loaded.baseDir,
    });
    return this.startPlanned(input);
  }

  /** Start a planned project; its workflow id is the project id, and starting a running project again attaches to it. */
  async startPlanned(input: BrollWorkflowInput): Promise<StartedProject> {
    const parsed = brollWorkflowInputSchema.safeParse(input);
    if (!parsed.success) throw inputErrorFromZod('B-roll project', parsed.error.issues);
    const plan = parsed.data;
    const handle = await this.options.client.workflow.start(BrollWorkflow, {
      workflowId: plan.projectId,
      taskQueue: this.options.taskQueue,
      args: [{ ...input, taskQueue: plan.taskQueue ?? this.options.taskQueue }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: WorkloadIdKey, value: plan.projectId },
        { key: ProjectStateKey, value: 'generating' },
      ],
      memo: { segments: plan.segments.length },
      staticSummary: `B-roll ${plan.projectId}: ${plan.segments.length} segments`,
      priority: temporalPriority(plan.options.priority, DEFAULT_PRIORITY.broll),
    });
    return { projectId: plan.projectId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  progress(projectId: string): Promise<BrollProgress> {
    return this.onWorkload(projectId, () => this.handle(projectId).query(brollProgressQuery));
  }

  /** (Re)write the project's contact sheet in S3 now: a frame of every take; answers where it is. */
  contactSheet(projectId: string): Promise<ContactSheetRef> {
    return this.onWorkload(projectId, () => this.handle(projectId).executeUpdate(contactSheetUpdate));
  }

  /** Cancels the project; its video workflows DELETE their remote Runway tasks. */
  async cancel(projectId: string): Promise<void> {
    await this.onWorkload(projectId, () => this.handle(projectId).cancel());
  }

  waitForResult(projectId: string): Promise<BrollResult> {
    return this.handle(projectId).result() as Promise<BrollResult>;
  }
}
