import {
  ApplicationFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
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
  type CampaignProgress,
  type CampaignResult,
  type CampaignWorkflowInput,
  type VariantError,
  type VariantOutcome,
  type VideoState,
  type VideoFailureBilling,
  type VideoResult,
} from '../schemas';
import { campaignIdFromWorkflowId } from '../schemas/scheduled-run';
import { campaignActivities } from './activity-stubs';
import { creditDecisionSignal, creditRequestSignal, progressQuery, variantStateSignal, type CreditRequest, type VariantStateUpdate } from './messages';
import { CampaignIdKey } from './search-attributes';
import { videoVisibility } from './video-visibility';
import { VideoGenerationWorkflow } from './video';

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

export function variantWorkflowId(campaignId: string, variant: { variantId: string; fingerprint: string; regenerate?: boolean | undefined }): string {
  return variant.regenerate ? regeneratedVideoWorkflowId(campaignId, variant.variantId, variant.fingerprint) : videoWorkflowId(campaignId, variant.variantId);
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

  const outcomes = await Promise.all(input.variants.map((variant) => runVariant(input, variant, ledger)));
  const manifest = buildManifest(input, outcomes);
  const written = await campaignActivities().writeManifest.executeWithOptions({ summary: `manifest of ${input.campaignId}` }, [{ bucket: input.archive.bucket, prefix: input.archive.prefix, campaignId: input.campaignId, manifest }]);
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

async function runVariant(input: Input, variant: Variant, ledger: CampaignLedger): Promise<VariantOutcome> {
  const workflowId = variantWorkflowId(input.campaignId, variant);
  const estimate = creditsFor(variant.request.model, variant.request.duration);
  if (!ledger.reserve(variant.variantId, estimate)) {
    const error: VariantError = { type: FailureType.BudgetExceeded, message: `needs ${estimate} credits; the campaign budget of ${input.budgetCredits} credits has ${ledger.remaining()} left` };
    ledger.settle(variant.variantId, 0);
    return ledger.finish(variant.variantId, { variantId: variant.variantId, workflowId, state: 'failed', error, credits: 0 });
  }
  try {
    const { result, reused } = await startAndAwait(input, variant, workflowId);
    // A clip archived by an earlier run was billed then, not by this run.
    const credits = reused ? 0 : result.credits;
    ledger.settle(variant.variantId, credits);
    return ledger.finish(variant.variantId, { variantId: variant.variantId, workflowId, state: 'archived', result, credits, ...(reused ? { reused } : {}) });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const billed = billedByFailure(error);
    ledger.settle(variant.variantId, billed);
    return ledger.finish(variant.variantId, { variantId: variant.variantId, workflowId, state: 'failed', error: variantError(error), credits: billed ?? 0 });
  }
}

async function startAndAwait(input: Input, variant: Variant, workflowId: string): Promise<{ result: VideoResult; reused: boolean }> {
  const { fingerprint } = variant;
  try {
    const child = await startChild(VideoGenerationWorkflow, {
      workflowId,
      taskQueue: input.taskQueue,
      args: [
        {
          videoId: workflowId,
          campaignId: input.campaignId,
          variantId: variant.variantId,
          request: variant.request,
          archive: input.archive,
          options: input.options,
          budgeted: input.budgetCredits !== undefined,
          fingerprint,
        },
      ],
      // A variant archived by an earlier run of this campaign is reused, never generated again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      ...videoVisibility({ campaignId: input.campaignId, variantId: variant.variantId, request: variant.request, fingerprint, label: variant.variantId }),
    });
    return { result: await child.result(), reused: false };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const previous = await campaignActivities().previousVideoResult.executeWithOptions({ summary: `reuse the archived result of ${workflowId}` }, [workflowId]);
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
function billedByFailure(error: unknown): number | undefined {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const billing = cause.details?.[0] as Partial<VideoFailureBilling> | undefined;
  return typeof billing?.credits === 'number' ? billing.credits : undefined;
}

function variantError(error: unknown): VariantError {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as { failureCode?: string };
    return { type: cause.type ?? FailureType.Unexpected, message: cause.message, ...(details.failureCode ? { failureCode: details.failureCode } : {}) };
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

const ALL_STATES: VideoState[] = ['waiting', 'prescreening', 'submitting', 'queued', 'running', 'archiving', 'archived', 'failed', 'cancelled'];

/**
 * The campaign's view of its variants and credits. Per variant it holds what Runway has billed so far and
 * what is reserved for the submission in flight; a submission's reservation is released once the next
 * credit request or the child's end reports what it was billed (refunded attempts bill 0).
 */
class CampaignLedger {
  private readonly variants = new Map<string, CampaignProgress['variants'][number]>();
  /** Variants whose child is still running: billed so far and the reservation of their open submission. */
  private readonly open = new Map<string, { billed: number; reserved: number }>();
  /** Billed by variants that have ended. */
  private settledSpent = 0;

  constructor(private readonly input: Input) {
    for (const variant of input.variants) this.variants.set(variant.variantId, { variantId: variant.variantId, state: 'waiting' });
  }

  private reserved(): number {
    let sum = 0;
    for (const entry of this.open.values()) sum += entry.reserved;
    return sum;
  }

  private spent(): number {
    let sum = this.settledSpent;
    for (const entry of this.open.values()) sum += entry.billed;
    return sum;
  }

  remaining(): number {
    return this.input.budgetCredits === undefined ? Number.POSITIVE_INFINITY : this.input.budgetCredits - this.reserved() - this.spent();
  }

  /** Reserve the next submission of a variant; `billed` settles its earlier submissions first. */
  reserve(variantId: string, credits: number, billed?: number): boolean {
    const entry = this.open.get(variantId) ?? { billed: 0, reserved: 0 };
    this.open.set(variantId, entry);
    if (billed !== undefined) {
      entry.billed = billed;
      entry.reserved = 0;
    }
    if (credits > this.remaining()) return false;
    entry.reserved += credits;
    return true;
  }

  /**
   * The child ended: release its reservations and count what it billed. When a failure does not say
   * (not a typed failure of the video workflow), its reservation stays held so the budget cannot be
   * exceeded, and only what it reported billed so far counts as spent.
   */
  settle(variantId: string, billed: number | undefined): void {
    const entry = this.open.get(variantId) ?? { billed: 0, reserved: 0 };
    this.open.delete(variantId);
    if (billed !== undefined) {
      this.settledSpent += billed;
      return;
    }
    this.settledSpent += entry.billed;
    this.open.set(`${variantId} (unsettled)`, { billed: 0, reserved: entry.reserved });
  }

  onVariantState(update: VariantStateUpdate): void {
    const entry = this.variants.get(update.variantId);
    if (!entry || entry.state === 'archived' || entry.state === 'failed') return;
    entry.state = update.state;
    if (update.runwayTaskId !== undefined) entry.runwayTaskId = update.runwayTaskId;
    if (update.submissions !== undefined) entry.submissions = update.submissions;
  }

  async onCreditRequest(request: CreditRequest): Promise<void> {
    const granted = this.reserve(request.variantId, request.credits, request.billedCredits);
    await getExternalWorkflowHandle(request.workflowId).signal(creditDecisionSignal, {
      submission: request.submission,
      granted,
      remaining: Math.max(0, this.remaining()),
    });
  }

  finish(variantId: string, outcome: VariantOutcome): VariantOutcome {
    const entry = this.variants.get(variantId);
    if (entry) {
      entry.state = outcome.state;
      if (outcome.result) {
        entry.runwayTaskId = outcome.result.runwayTaskId;
        entry.submissions = outcome.result.submissions;
      }
      if (outcome.error) entry.error = `${outcome.error.type}: ${outcome.error.message}`;
    }
    return outcome;
  }

  progress(): CampaignProgress {
    const counts = Object.fromEntries(ALL_STATES.map((state) => [state, 0])) as Record<VideoState, number>;
    for (const entry of this.variants.values()) counts[entry.state] += 1;
    return {
      campaignId: this.input.campaignId,
      total: this.variants.size,
      counts,
      variants: [...this.variants.values()],
      creditsReserved: this.reserved(),
      creditsSpent: this.spent(),
    };
  }
}
