import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  getExternalWorkflowHandle,
  patched,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type {
  ArchiveDestination,
  GenerationError,
  GenerationFailureBilling,
  GenerationOptions,
  GenerationResult,
  GenerationWorkflowInput,
  ResolvedGenerationRequest,
} from '../../schemas';
import { FailureType } from '../../schemas/failures';
import type { PriorityClass } from '../../schemas/priority';
import { requestCredits } from '../../schemas/generation-values';
import { DEFAULT_PRIORITY, temporalPriority } from '../../schemas/priority-classes';
import { childActivities, leaseRequestActivities } from '../activity-stubs';
import { leasePoolWorkflowId, releaseLeaseSignal, reservedLeaseId } from '../messages';
import { leaseRequestFor } from './lease';
import { PromptImageUploads } from './image-uploads';
import { generationVisibility } from './visibility';
import { GenerationWorkflow } from './workflow';

/** What the core needs of the workload that starts generations: where they archive, how they run, its budget. */
export interface GenerationParent {
  workloadId: string;
  archive: ArchiveDestination;
  options: GenerationOptions;
  budgetCredits?: number | undefined;
  taskQueue?: string | undefined;
  /** The workload's prompt images uploaded to Runway, once each: children get the runway:// URI, never the bytes. */
  imageUploads: PromptImageUploads;
}

/**
 * The parent a workload's input makes: the workload's id, where and how its generations run (in its
 * priority class unless its options name one), and no upload yet.
 */
export function generationParent(
  workloadId: string,
  input: Pick<GenerationParent, 'archive' | 'options' | 'budgetCredits' | 'taskQueue'>,
  defaultPriority: PriorityClass,
): GenerationParent {
  return {
    workloadId,
    archive: input.archive,
    options: { ...input.options, priority: input.options.priority ?? defaultPriority },
    budgetCredits: input.budgetCredits,
    taskQueue: input.taskQueue,
    imageUploads: new PromptImageUploads(),
  };
}

/** One generation a workload asks for: its key within the workload, the request, and the request's fingerprint. */
export interface PlannedGeneration {
  key: string;
  request: ResolvedGenerationRequest;
  fingerprint: string;
  /** Its own class over the workload's (a regeneration someone is waiting for). */
  priority?: PriorityClass;
  /** The archived object's file name (without extension), when the workload names its outputs. */
  outputName?: string;
}

/**
 * Start a generation child the workload awaits (B-roll, explainers): cancelled with its parent. A child
 * already run under this deterministic id is not run again: its archived result is reused, never billed
 * again, when it was made from the same request.
 */
export async function startAndAwait(
  parent: GenerationParent,
  generation: PlannedGeneration,
  workflowId: string,
): Promise<{ result: GenerationResult; reused: boolean }> {
  // The fingerprint stays that of the staged image: an upload is the same image under a URI.
  const request = await parent.imageUploads.withUpload(generation.request);
  const leaseAtStart = generation.priority === 'interactive' && patched(LEASE_AT_START_PATCH);
  if (leaseAtStart) await requestLeaseAtStart(parent, generation, request, { workflowId, runId: '' });
  let started = false;
  try {
    const child = await startChild(
      GenerationWorkflow,
      childOptions(parent, generation, request, workflowId, { reportEnd: false, leaseRequested: leaseAtStart }),
    );
    started = true;
    if (leaseAtStart) await requestLeaseAtStart(parent, generation, request, { workflowId, runId: child.firstExecutionRunId }, child);
    return { result: await child.result(), reused: false };
  } catch (error) {
    // The child never started (it ran before, or its start failed): the slot reserved for it goes back.
    if (leaseAtStart && !started) await releaseReservation(parent, workflowId);
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { result: await reusedResult(generation, workflowId), reused: true };
  }
}

/**
 * Start a generation child that outlives its starting run (a campaign continues as new while it runs):
 * ABANDON, and it reports its end by signal (generationEndSignal). Throws WorkflowExecutionAlreadyStartedError
 * when the id has run before: the caller reuses its result (reusedResult).
 */
export async function startAndReport(parent: GenerationParent, generation: PlannedGeneration, workflowId: string): Promise<void> {
  const request = await parent.imageUploads.withUpload(generation.request);
  await startChild(GenerationWorkflow, childOptions(parent, generation, request, workflowId, { reportEnd: true, leaseRequested: false }));
}

/**
 * Someone is waiting for this generation (a reviewer's regeneration), so the workload speaks to the lease pool for it
 * twice, neither waiting for the child's first task and its pre-screen. In the task that decides on it, before the
 * child exists: a reservation under the child's workflow id, so the next slot any model frees is held for it. In the
 * task that learns the child started: the child's own first request (its lease id), which claims that slot. The child,
 * told so by its input, only waits for the grant (and gives it back if its pre-screen refuses the prompt). Were the
 * claim never sent, the child would wait forever: a claim that keeps failing cancels it.
 */
async function requestLeaseAtStart(
  parent: GenerationParent,
  generation: PlannedGeneration,
  request: ResolvedGenerationRequest,
  holder: { workflowId: string; runId: string },
  child?: ChildWorkflowHandle<typeof GenerationWorkflow>,
): Promise<void> {
  const ask = leaseRequestFor({ ...holder, taskQueue: parent.taskQueue ?? workflowInfo().taskQueue }, 1, 0, parent.options, {
    model: request.model,
    credits: requestCredits(request),
    priority: 'interactive',
    workload: workflowInfo().workflowId,
  });
  const reservation = child === undefined;
  try {
    await CancellationScope.nonCancellable(() =>
      leaseRequestActivities().requestGenerationLease.executeWithOptions(
        {
          summary: `${reservation ? 'reserve' : 'ask for'} a Runway ${request.model} lease for ${generation.key}, someone is waiting`,
        },
        [reservation ? { ...ask, leaseId: reservedLeaseId(holder.workflowId), reservation: true } : ask],
      ),
    );
  } catch (error) {
    // A reservation that could not be made only costs the head start; the claim still asks.
    if (reservation) return;
    await releaseReservation(parent, holder.workflowId);
    await CancellationScope.nonCancellable(() => getExternalWorkflowHandle(holder.workflowId).cancel());
    throw error;
  }
}

/** Best effort: a reservation the pool never got, or cannot be told of, goes back by itself after its hold. */
async function releaseReservation(parent: GenerationParent, workflowId: string): Promise<void> {
  const pool = leasePoolWorkflowId(parent.taskQueue ?? workflowInfo().taskQueue);
  try {
    await CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(pool).signal(releaseLeaseSignal, { leaseId: reservedLeaseId(workflowId) }),
    );
  } catch {
    // The pool's hold ends it.
  }
}

/** Workloads that ask for an interactive child's first lease as it starts (requestLeaseAtStart) record this marker. */
const LEASE_AT_START_PATCH = 'interactive-lease-at-start';

/**
 * How every workload starts one generation child: deterministic id, the reuse policy that never regenerates
 * an archived output, its visibility. Reporting children outlive a hand-over (ABANDON); awaited children
 * are cancelled with their parent.
 */
function childOptions(
  parent: GenerationParent,
  generation: PlannedGeneration,
  request: ResolvedGenerationRequest,
  workflowId: string,
  { reportEnd, leaseRequested }: { reportEnd: boolean; leaseRequested: boolean },
) {
  return {
    workflowId,
    taskQueue: parent.taskQueue,
    args: [
      {
        generationId: workflowId,
        workloadId: parent.workloadId,
        generationKey: generation.key,
        request,
        archive: parent.archive,
        options: generation.priority ? { ...parent.options, priority: generation.priority } : parent.options,
        budgeted: parent.budgetCredits !== undefined,
        fingerprint: generation.fingerprint,
        ...(generation.outputName !== undefined ? { outputName: generation.outputName } : {}),
        ...(reportEnd ? { reportEnd: true } : {}),
        ...(leaseRequested ? { leaseRequested: true } : {}),
      },
    ] as [GenerationWorkflowInput],
    // An output archived by an earlier run of this workload is reused, never generated again.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    // Its class as Temporal's priority too: its tasks go ahead of a batch backlog's in the task queues.
    priority: temporalPriority(generation.priority ?? parent.options.priority, DEFAULT_PRIORITY.generation),
    parentClosePolicy: reportEnd ? ParentClosePolicy.ABANDON : ParentClosePolicy.REQUEST_CANCEL,
    ...generationVisibility({
      workloadId: parent.workloadId,
      generationKey: generation.key,
      request: generation.request,
      fingerprint: generation.fingerprint,
      label: generation.key,
    }),
  };
}

/** The result archived under the generation's id by an earlier run, when it was made from the same request. */
export async function reusedResult(generation: { fingerprint: string }, workflowId: string): Promise<GenerationResult> {
  const previous = await childActivities().previousGenerationResult.executeWithOptions(
    { summary: `reuse the archived result of ${workflowId}` },
    [workflowId],
  );
  if (previous.fingerprint !== generation.fingerprint) throw requestChanged(workflowId, previous.fingerprint);
  return previous;
}

function requestChanged(workflowId: string, previous: string | undefined): ApplicationFailure {
  // The client refuses a changed variant before a campaign starts; this guards every other starter.
  return ApplicationFailure.create({
    type: FailureType.VariantChanged,
    nonRetryable: true,
    message: `${workflowId} already holds a clip made from ${previous ? 'a different request' : 'a request of unknown fingerprint'}; use a new variant id, or set regenerate: true on the variant to archive a new clip beside it`,
  });
}

/** What Runway billed a failed child, from its failure's details; undefined when the failure does not say. */
export function billedByFailure(error: unknown): number | undefined {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const billing = cause.details?.[0] as Partial<GenerationFailureBilling> | undefined;
  return typeof billing?.credits === 'number' ? billing.credits : undefined;
}

/** A child's failure (or a failure to start it) as the generation's typed error. */
export function generationError(error: unknown): GenerationError {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as { failureCode?: string };
    return {
      type: cause.type ?? FailureType.Unexpected,
      message: cause.message,
      ...(details.failureCode ? { failureCode: details.failureCode } : {}),
    };
  }
  if (cause instanceof Error) return { type: FailureType.Unexpected, message: `${cause.name}: ${cause.message}` };
  return { type: FailureType.Unexpected, message: String(cause) };
}
