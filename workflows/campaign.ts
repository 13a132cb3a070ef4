import {
  ApplicationFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  isCancellation,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  campaignWorkflowInputSchema,
  FailureType,
  creditsFor,
  type CampaignResult,
  type CampaignWorkflowInput,
  type ResolvedGenerationRequest,
  type VariantError,
  type VariantOutcome,
  type VideoFailureBilling,
  type VideoResult,
} from '../schemas';
import { campaignIdFromWorkflowId } from '../schemas/scheduled-run';
import { campaignActivities } from './activity-stubs';
import { creditRequestSignal, progressQuery, variantStateSignal } from './messages';
import { CampaignIdKey } from './search-attributes';
import { videoVisibility } from './video-visibility';
import { VideoGenerationWorkflow } from './video';
import { CampaignLedger } from './campaign-ledger';
import { checkWorkspaceFirst } from './workspace-check';
import { PromptImageUploads } from './image-uploads';

type Input = ReturnType<typeof campaignWorkflowInputSchema.parse>;
type Variant = Input['variants'][number];

export function videoWorkflowId(campaignId: string, variantId: string): string {
  return `${campaignId}--${variantId}`;
}

/**
 * A regenerated variant runs under an id of its own request, so the clip archived under the plain id
 * stays, the new one lands beside it, and re-running the same regenerate is idempotent.
 */
export function regeneratedVideoWorkflowId(campaignId: string, variantId: string, fingerprint: string): string {
  return `${campaignId}--${variantId}--${fingerprint.slice(0, 12)}`;
}

export function variantWorkflowId(
  campaignId: string,
  variant: { variantId: string; fingerprint: string; regenerate?: boolean | undefined },
): string {
  return variant.regenerate
    ? regeneratedVideoWorkflowId(campaignId, variant.variantId, variant.fingerprint)
    : videoWorkflowId(campaignId, variant.variantId);
}

/**
 * A campaign: one child video workflow per variant (deterministic ids, so re-running a campaign never
 * repeats archived work), partial failures tolerated, a manifest in S3, a summary returned.
 */
export async function CampaignWorkflow(rawInput: CampaignWorkflowInput): Promise<CampaignResult> {
  const input = withRunCampaignId(campaignWorkflowInputSchema.parse(rawInput));
  const ledger = new CampaignLedger(input);
  setHandler(progressQuery, () => ledger.progress());
  setHandler(variantStateSignal, (update) => ledger.onVariantState(update));
  setHandler(creditRequestSignal, (request) => ledger.onCreditRequest(request));
  await checkWorkspaceFirst(
    `campaign ${input.campaignId}`,
    input.variants.map((variant) => variant.request),
  );

  // One upload per distinct prompt image, before the first child that needs it; every variant reuses its URI.
  const parent = { ...input, imageUploads: new PromptImageUploads() };
  const outcomes = await Promise.all(input.variants.map((variant) => runVariant(parent, variant, ledger)));
  const manifest = buildManifest(input, outcomes);
  const written = await campaignActivities().writeManifest.executeWithOptions({ summary: `manifest of ${input.campaignId}` }, [
    { bucket: input.archive.bucket, prefix: input.archive.prefix, campaignId: input.campaignId, manifest },
  ]);
  await condition(allHandlersFinished);
  return {
    campaignId: input.campaignId,
    manifest: written,
    total: outcomes.length,
    archived: outcomes.filter((outcome) => outcome.state === 'archived').length,
    failed: outcomes.filter((outcome) => outcome.state !== 'archived').length,
    credits: outcomes.reduce((sum, outcome) => sum + outcome.credits, 0),
    variants: outcomes,
  };
}

/**
 * A scheduled run's campaign id is derived from its workflow id, which the schedule suffixes with the
 * scheduled time: unique per run, the same on a retry. The schedule cannot know it, so it is upserted here.
 */
function withRunCampaignId(input: Input): Input {
  if (!input.campaignIdFromWorkflowId) return input;
  const campaignId = campaignIdFromWorkflowId(workflowInfo().workflowId);
  upsertSearchAttributes([{ key: CampaignIdKey, value: campaignId }]);
  return { ...input, campaignId };
}

async function runVariant(
  input: Input & { imageUploads: PromptImageUploads },
  variant: Variant,
  ledger: CampaignLedger,
): Promise<VariantOutcome> {
  const workflowId = variantWorkflowId(input.campaignId, variant);
  const estimate = creditsFor(variant.request.model, variant.request.duration);
  if (!ledger.reserve(variant.variantId, estimate)) {
    const error: VariantError = {
      type: FailureType.BudgetExceeded,
      message: `needs ${estimate} credits; the campaign budget of ${input.budgetCredits} credits has ${ledger.remaining()} left`,
    };
    ledger.settle(variant.variantId, 0);
    return ledger.finish(variant.variantId, { variantId: variant.variantId, workflowId, state: 'failed', error, credits: 0 });
  }
  try {
    const { result, reused } = await startAndAwait(input, variant, workflowId);
    // A clip archived by an earlier run was billed then, not by this run.
    const credits = reused ? 0 : result.credits;
    ledger.settle(variant.variantId, credits);
    return ledger.finish(variant.variantId, {
      variantId: variant.variantId,
      workflowId,
      state: 'archived',
      result,
      credits,
      ...(reused ? { reused } : {}),
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const billed = billedByFailure(error);
    ledger.settle(variant.variantId, billed);
    return ledger.finish(variant.variantId, {
      variantId: variant.variantId,
      workflowId,
      state: 'failed',
      error: variantError(error),
      credits: billed ?? 0,
    });
  }
}

/** What a child start needs of its parent: a campaign, or any workload that fans out generations (video or speech). */
type ChildParent = Pick<Input, 'campaignId' | 'archive' | 'options' | 'budgetCredits' | 'taskQueue'> & {
  variants: ReadonlyArray<{ variantId: string }>;
  /** The parent's prompt images uploaded to Runway, once each: children get the runway:// URI, never the bytes. */
  imageUploads: PromptImageUploads;
};

export async function startAndAwait(
  input: ChildParent,
  variant: { variantId: string; request: ResolvedGenerationRequest; fingerprint: string },
  workflowId: string,
): Promise<{ result: VideoResult; reused: boolean }> {
  const { fingerprint } = variant;
  // The fingerprint stays that of the staged image: an upload is the same image under a URI.
  const request = await input.imageUploads.withUpload(variant.request);
  try {
    const child = await startChild(VideoGenerationWorkflow, {
      workflowId,
      taskQueue: input.taskQueue,
      args: [
        {
          videoId: workflowId,
          campaignId: input.campaignId,
          variantId: variant.variantId,
          request,
          archive: input.archive,
          options: input.options,
          budgeted: input.budgetCredits !== undefined,
          fingerprint,
        },
      ],
      // A variant archived by an earlier run of this campaign is reused, never generated again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      ...videoVisibility({
        campaignId: input.campaignId,
        variantId: variant.variantId,
        request: variant.request,
        fingerprint,
        label: variant.variantId,
      }),
    });
    return { result: await child.result(), reused: false };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const previous = await campaignActivities().previousVideoResult.executeWithOptions(
      { summary: `reuse the archived result of ${workflowId}` },
      [workflowId],
    );
    // The client refuses a changed variant before the campaign starts; this guards every other starter.
    if (previous.fingerprint !== fingerprint) {
      throw ApplicationFailure.create({
        type: FailureType.VariantChanged,
        nonRetryable: true,
        message: `${workflowId} already holds a clip made from ${previous.fingerprint ? 'a different request' : 'a request of unknown fingerprint'}; use a new variant id, or set regenerate: true on the variant to archive a new clip beside it`,
      });
    }
    return { result: previous, reused: true };
  }
}

/** What Runway billed a failed child, from its failure's details; undefined when the failure does not say. */
export function billedByFailure(error: unknown): number | undefined {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const billing = cause.details?.[0] as Partial<VideoFailureBilling> | undefined;
  return typeof billing?.credits === 'number' ? billing.credits : undefined;
}

export function variantError(error: unknown): VariantError {
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

function buildManifest(input: Input, outcomes: VariantOutcome[]) {
  return {
    campaignId: input.campaignId,
    workflowId: workflowInfo().workflowId,
    runId: workflowInfo().runId,
    writtenAt: new Date(Date.now()).toISOString(),
    variants: outcomes.map((outcome) => ({
      variantId: outcome.variantId,
      workflowId: outcome.workflowId,
      status: outcome.state,
      ...promptOf(input, outcome.variantId),
      billedThisRun: outcome.credits,
      ...(outcome.reused ? { reused: true } : {}),
      ...(outcome.result
        ? {
            s3: outcome.result.s3,
            runwayTaskId: outcome.result.runwayTaskId,
            submissions: outcome.result.submissions,
            credits: outcome.result.credits,
            model: outcome.result.model,
          }
        : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    })),
  };
}

/** The request's prompt, so the manifest pairs each clip with the words it was made from. */
function promptOf(input: Input, variantId: string): { promptText?: string } {
  const promptText = input.variants.find((variant) => variant.variantId === variantId)?.request.promptText;
  return promptText !== undefined ? { promptText } : {};
}
