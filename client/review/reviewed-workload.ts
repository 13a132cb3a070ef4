import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { finalizeUpdate, reviewUpdate } from '../../workflows/messages';
import { ProjectStateKey } from '../../workflows/search-attributes';
import {
  FailureType,
  finalizeUpdateSchema,
  reviewUpdateSchema,
  type FinalizeUpdate,
  type ReviewDecision,
  type ReviewView,
} from '../../schemas';
import { InputError, inputErrorFromZod } from '../input-error';
import type { RunwayTemporalOptions } from '../options';

/** How a workload's reviews are named and addressed: in messages, on the CLI and on the review page. */
export interface ReviewedWorkloadSpec {
  /** The parent workflow's type, which the review page's list filters on. */
  workflowType: string;
  /** One of them in messages: "project", "explainer". */
  workload: string;
  /** Its id's field in an InputError: "projectId", "explainerId". */
  idField: string;
  /** One reviewed item, and their field on the CLI: "segment" / "segments", "chunk" / "chunks". */
  item: string;
  itemsField: string;
  /** The review page's path (`/<path>/<id>`), its name for one ("B-roll project"), and its finalize button. */
  path: string;
  title: string;
  finalizeLabel: string;
  /** Whether the workload keeps a contact sheet of its takes. */
  contactSheets: boolean;
  /** What the page says once finalized: the delivery's first object. */
  delivered(result: unknown): { text: string; key: string };
}

/** A workload awaiting review, as the review page lists it. */
export interface ReviewOverview {
  workloadId: string;
  workflowId: string;
  runId: string;
  startTime: Date;
}

/**
 * What every reviewed workload's typed client does with its review room (B-roll's `api.broll`, explainers'
 * `api.explainers`): send the reviewer's decisions and the finalize as the workflow's Updates, whose own
 * validators decide what is allowed (their refusals come back as InputErrors whose message is the
 * validator's, naming the item and why), and list what awaits review. The review page serves any of them.
 */
export abstract class ReviewedWorkload<Progress extends ReviewView, Result> {
  abstract readonly reviewSpec: ReviewedWorkloadSpec;

  constructor(protected readonly options: RunwayTemporalOptions) {}

  /** The workload's progress: the review room's view, and what the workload adds. */
  abstract progress(workloadId: string): Promise<Progress>;

  /** The reviewer's decisions in one Update (select, approve, reject, revoice); answers the new progress. */
  async review(workloadId: string, decisions: ReviewDecision[]): Promise<Progress> {
    const parsed = reviewUpdateSchema.safeParse({ decisions });
    if (!parsed.success)
      throw inputErrorFromZod(
        'review',
        parsed.error.issues.map((issue) => {
          // A decision's problem named by its item: "chunk c02: the new narration must not be empty".
          const key = typeof issue.path[1] === 'number' ? decisions[issue.path[1]]?.key : undefined;
          return key ? { path: [`${this.reviewSpec.item} ${key}`], message: issue.message } : issue;
        }),
      );
    return (await this.onWorkload(workloadId, () =>
      this.handle(workloadId).executeUpdate(reviewUpdate, { args: [parsed.data] }),
    )) as Progress;
  }

  /** Select one of an item's takes: the one its delivery uses. */
  select(workloadId: string, key: string, take: number): Promise<Progress> {
    if (!Number.isInteger(take) || take < 1) throw new InputError('--take', `${String(take)} is not a take number (1, 2, …)`);
    return this.review(workloadId, [{ key, action: 'select', take }]);
  }

  /** Approve these items' one take, or with 'all' every item waiting for a decision (each must have one finished take). */
  async approve(workloadId: string, keys: string[] | 'all'): Promise<Progress> {
    const { workload, item, itemsField } = this.reviewSpec;
    const chosen = keys === 'all' ? (await this.progress(workloadId)).pendingDecisions : keys;
    if (!Array.isArray(chosen) || chosen.length === 0)
      throw new InputError(
        itemsField,
        keys === 'all' ? `${workload} ${workloadId} has no clip waiting for a decision` : `name at least one ${item}`,
      );
    return this.review(
      workloadId,
      chosen.map((key) => ({ key, action: 'approve' })),
    );
  }

  /** Reject an item's takes with a new prompt: its next round of takes. */
  reject(workloadId: string, key: string, promptText: string): Promise<Progress> {
    return this.review(workloadId, [{ key, action: 'reject', promptText }]);
  }

  /** Close the review and deliver; answers once the delivery is in S3. */
  finalize(workloadId: string, options: FinalizeUpdate = {}): Promise<Result> {
    const parsed = finalizeUpdateSchema.safeParse(options);
    if (!parsed.success) throw inputErrorFromZod('finalize', parsed.error.issues);
    return this.onWorkload(
      workloadId,
      async () => (await this.handle(workloadId).executeUpdate(finalizeUpdate, { args: [parsed.data] })) as Result,
    );
  }

  /**
   * What waits for the reviewer (the ProjectState search attribute), on this deployment's task queue: another
   * deployment sharing the namespace has its own workers and its own review page.
   */
  async listAwaitingReview(): Promise<ReviewOverview[]> {
    const listed: ReviewOverview[] = [];
    const query = `WorkflowType = '${this.reviewSpec.workflowType}' AND ${ProjectStateKey.name} = 'awaiting-review' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.options.taskQueue}'`;
    for await (const execution of this.options.client.workflow.list({ query }))
      listed.push({
        workloadId: execution.workflowId,
        workflowId: execution.workflowId,
        runId: execution.runId,
        startTime: execution.startTime,
      });
    return listed;
  }

  protected handle(workloadId: string) {
    return this.options.client.workflow.getHandle(workloadId);
  }

  /** Refusals and unknown or ended workloads as InputErrors: what the reviewer asked cannot be done, and why. */
  protected async onWorkload<T>(workloadId: string, act: () => Promise<T>): Promise<T> {
    requireWorkloadId(this.reviewSpec, workloadId);
    const { idField } = this.reviewSpec;
    try {
      return await act();
    } catch (error) {
      if (
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === FailureType.ReviewRefused
      )
        throw refusal(error.cause.message);
      if (error instanceof WorkflowNotFoundError) throw new InputError(idField, await this.whyNotFound(workloadId));
      throw error;
    }
  }

  /** Temporal answers "not found" for a workflow that has ended too: say which it is. */
  private async whyNotFound(workloadId: string): Promise<string> {
    const { workload } = this.reviewSpec;
    try {
      const description = await this.handle(workloadId).describe();
      const state = description.typedSearchAttributes.get(ProjectStateKey);
      return `${workload} ${workloadId} has ended (${state ?? description.status.name.toLowerCase()}); it takes no more decisions`;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return `no ${workload} ${workloadId}`;
      throw error;
    }
  }
}

/** An id that is there, before anything connects: "a project id is required". */
export function requireWorkloadId(spec: ReviewedWorkloadSpec, workloadId: string): void {
  if (typeof workloadId !== 'string' || workloadId.trim() === '')
    throw new InputError(spec.idField, `${/^[aeiou]/.test(spec.workload) ? 'an' : 'a'} ${spec.workload} id is required`);
}

/** The validator's own words as the error's message: the reviewer reads exactly why. */
function refusal(message: string): InputError {
  const error = new InputError('review', message);
  error.message = message;
  return error;
}
