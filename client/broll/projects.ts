import { WorkflowIdConflictPolicy, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { BrollWorkflow } from '../../workflows';
import { brollProgressQuery, contactSheetUpdate, finalizeUpdate, reviewUpdate } from '../../workflows/messages';
import { WorkloadIdKey, ProjectStateKey } from '../../workflows/search-attributes';
import {
  FailureType,
  brollWorkflowInputSchema,
  finalizeUpdateSchema,
  reviewUpdateSchema,
  type BrollProgress,
  type BrollProjectFileInput,
  type BrollResult,
  type BrollWorkflowInput,
  type ContactSheetRef,
  type FinalizeUpdate,
  type ReviewDecision,
} from '../../schemas';
import { InputError, inputErrorFromZod } from '../input-error';
import type { RunwayTemporalOptions } from '../options';
import { planBroll } from './plan';
import { loadBrollProjectFile, parseBrollProjectFile } from './project-file';

export interface StartedProject {
  projectId: string;
  workflowId: string;
  runId: string;
}

export interface ProjectOverview {
  projectId: string;
  workflowId: string;
  runId: string;
  startTime: Date;
}

/**
 * B-roll projects: start a planned project, follow it, send the editor's decisions and finalize. The
 * workflow's own validators decide what a review may do; their refusals come back as InputErrors whose
 * message is the validator's, naming the segment and why.
 */
export class BrollProjects {
  constructor(private readonly options: RunwayTemporalOptions) {}

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
    });
    return { projectId: plan.projectId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  }

  progress(projectId: string): Promise<BrollProgress> {
    return this.onProject(projectId, () => this.handle(projectId).query(brollProgressQuery));
  }

  /** The editor's decisions in one Update (the review room's: select, approve, reject); answers the project's new progress. */
  async review(projectId: string, decisions: ReviewDecision[]): Promise<BrollProgress> {
    const parsed = reviewUpdateSchema.safeParse({ decisions });
    if (!parsed.success) throw inputErrorFromZod('review', parsed.error.issues);
    return (await this.onProject(projectId, () =>
      this.handle(projectId).executeUpdate(reviewUpdate, { args: [parsed.data] }),
    )) as BrollProgress;
  }

  /** Select a segment's take: the one the edit list uses. */
  select(projectId: string, segmentId: string, take: number): Promise<BrollProgress> {
    if (!Number.isInteger(take) || take < 1) throw new InputError('--take', `${String(take)} is not a take number (1, 2, …)`);
    return this.review(projectId, [{ key: segmentId, action: 'select', take }]);
  }

  /** (Re)write the project's contact sheet in S3 now: a frame of every take; answers where it is. */
  contactSheet(projectId: string): Promise<ContactSheetRef> {
    return this.onProject(projectId, () => this.handle(projectId).executeUpdate(contactSheetUpdate));
  }

  /** Approve these segments' one take, or with 'all' every segment waiting for a decision (each must have one finished take). */
  async approve(projectId: string, segmentIds: string[] | 'all'): Promise<BrollProgress> {
    const ids = segmentIds === 'all' ? (await this.progress(projectId)).pendingDecisions : segmentIds;
    if (!Array.isArray(ids) || ids.length === 0)
      throw new InputError(
        'segments',
        segmentIds === 'all' ? `project ${projectId} has no clip waiting for a decision` : 'name at least one segment',
      );
    return this.review(
      projectId,
      ids.map((segmentId) => ({ key: segmentId, action: 'approve' })),
    );
  }

  /** Reject a segment's takes with a new prompt: the segment's next round of takes. */
  reject(projectId: string, segmentId: string, promptText: string): Promise<BrollProgress> {
    return this.review(projectId, [{ key: segmentId, action: 'reject', promptText }]);
  }

  /** Write the edit list and end the project; answers once the edit list is in S3. */
  finalize(projectId: string, options: FinalizeUpdate = {}): Promise<BrollResult> {
    const parsed = finalizeUpdateSchema.safeParse(options);
    if (!parsed.success) throw inputErrorFromZod('finalize', parsed.error.issues);
    return this.onProject(projectId, () => this.handle(projectId).executeUpdate(finalizeUpdate, { args: [parsed.data] }));
  }

  /** Cancels the project; its video workflows DELETE their remote Runway tasks. */
  async cancel(projectId: string): Promise<void> {
    await this.onProject(projectId, () => this.handle(projectId).cancel());
  }

  waitForResult(projectId: string): Promise<BrollResult> {
    return this.handle(projectId).result();
  }

  /** Projects whose clips wait for the editor (the ProjectState search attribute). */
  async listAwaitingReview(): Promise<ProjectOverview[]> {
    const projects: ProjectOverview[] = [];
    const query = `WorkflowType = '${BrollWorkflow.name}' AND ${ProjectStateKey.name} = 'awaiting-review' AND ExecutionStatus = 'Running'`;
    for await (const execution of this.options.client.workflow.list({ query })) {
      projects.push({
        projectId: execution.workflowId,
        workflowId: execution.workflowId,
        runId: execution.runId,
        startTime: execution.startTime,
      });
    }
    return projects;
  }

  private handle(projectId: string) {
    return this.options.client.workflow.getHandle<typeof BrollWorkflow>(projectId);
  }

  /** Refusals and unknown or ended projects as InputErrors: what the editor asked cannot be done, and why. */
  private async onProject<T>(projectId: string, act: () => Promise<T>): Promise<T> {
    if (typeof projectId !== 'string' || projectId.trim() === '') throw new InputError('projectId', 'a project id is required');
    try {
      return await act();
    } catch (error) {
      if (
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === FailureType.ReviewRefused
      )
        throw refusal(error.cause.message);
      if (error instanceof WorkflowNotFoundError) throw new InputError('projectId', await this.whyNotFound(projectId));
      throw error;
    }
  }

  /** Temporal answers "not found" for a workflow that has ended too: say which it is. */
  private async whyNotFound(projectId: string): Promise<string> {
    try {
      const description = await this.handle(projectId).describe();
      const state = description.typedSearchAttributes.get(ProjectStateKey);
      return `project ${projectId} has ended (${state ?? description.status.name.toLowerCase()}); it takes no more decisions`;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return `no project ${projectId}`;
      throw error;
    }
  }
}

/** The validator's own words as the error's message: the editor reads exactly why. */
function refusal(message: string): InputError {
  const error = new InputError('review', message);
  error.message = message;
  return error;
}
