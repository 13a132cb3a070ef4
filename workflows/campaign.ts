import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
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
  RESULT_VARIANTS_LIMIT,
  creditsFor,
  videoStateSchema,
  type CampaignCarry,
  type CampaignProgress,
  type CampaignResult,
  type CampaignVariant,
  type CampaignWorkflowInput,
  type ResolvedGenerationRequest,
  type VariantError,
  type VariantOutcome,
  type VideoFailureBilling,
  type VideoResult,
  type VideoWorkflowInput,
  type VideoState,
} from '../schemas';
import { manifestObjectKey } from '../schemas/object-keys';
import { campaignIdFromWorkflowId } from '../schemas/scheduled-run';
import { campaignActivities } from './activity-stubs';
import { creditRequestSignal, progressQuery, variantEndSignal, variantStateSignal } from './messages';
import { CampaignIdKey } from './search-attributes';
import { videoVisibility } from './video-visibility';
import { VideoGenerationWorkflow } from './video';
import { CampaignLedger } from './campaign-ledger';
import { checkWorkspaceFirst, checkWorkspaceFor } from './workspace-check';
import { PromptImageUploads } from './image-uploads';

type Input = ReturnType<typeof campaignWorkflowInputSchema.parse>;

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

const DEFAULT_MAX_OPEN_VIDEOS = 500;
/**
 * Each video signals its campaign about four times (queued, running, archiving… and its end; a budgeted one
 * also asks for credits) and Temporal accepts 10,000 signals per run: a run starts at most this many, with
 * up to `maxOpenVideos` more carried in, and stays well inside that.
 */
const DEFAULT_CONTINUE_AS_NEW_EVERY = 1000;
/** Outcomes per manifest part. */
const MANIFEST_BATCH = 500;
/** Ended variants the progress query lists (recent and failed, each). */
const RECENT_LIMIT = 50;
/** How long a cancelled campaign waits for its open children to report their cancellation (their DELETEs). */
const CANCEL_DRAIN = '2 minutes';
/** With no child ending for this long, ask Temporal which open children closed without reporting (terminated, timed out). */
const SWEEP_AFTER = '1 minute';

type OpenVariant = CampaignCarry['open'][number] & { starting?: boolean };
type KeptOutcome = VariantOutcome & { index: number; promptText?: string };
type ProgressEntry = CampaignProgress['variants'][number];

/**
 * A campaign of any size: at most `maxOpenVideos` children open at once, the next started as one ends, one
 * child per variant (deterministic ids, so re-running a campaign never repeats archived work), partial
 * failures tolerated. Variants come page by page from S3 (or inline for a small campaign); outcomes go to
 * S3 as manifest parts plus an index; the run continues as new every `continueAsNewEvery` started variants
 * (or when Temporal suggests it), handing over its cursor, counts, credit ledger and open children.
 * Children are started ABANDON and report their end by signal, so they outlive a hand-over.
 */
export async function CampaignWorkflow(rawInput: CampaignWorkflowInput): Promise<CampaignResult> {
  const input = withRunCampaignId(campaignWorkflowInputSchema.parse(rawInput));
  const total = input.variantPages?.count ?? input.variants.length;
  const carry: CampaignCarry = input.carry ?? freshCarry();
  const ledger = new CampaignLedger({ campaignId: input.campaignId, budgetCredits: input.budgetCredits, variants: [] });
  ledger.restore(carry.ledger);
  const open = new Map<string, OpenVariant>(carry.open.map((entry) => [entry.variantId, { ...entry }]));
  const keepOutcomes = total <= RESULT_VARIANTS_LIMIT;
  const outcomes: KeptOutcome[] = (carry.outcomes ?? []) as KeptOutcome[];

  const record = (outcome: KeptOutcome) => {
    if (outcome.state === 'archived') carry.archived += 1;
    else if (outcome.state === 'cancelled') carry.cancelled += 1;
    else carry.failed += 1;
    if (outcome.reused) carry.reused += 1;
    carry.credits += outcome.credits;
    carry.pendingManifest.push(manifestEntry(outcome));
    const shown = progressEntry(outcome);
    carry.recent = [...carry.recent.slice(-(RECENT_LIMIT - 1)), shown];
    if (outcome.state !== 'archived') carry.failedRecent = [...carry.failedRecent.slice(-(RECENT_LIMIT - 1)), shown];
    if (keepOutcomes) outcomes.push(outcome);
  };

  // Handlers before any await: signals that waited for this run (a hand-over, a child ending) land in them.
  setHandler(progressQuery, () => progress(input.campaignId, total, carry, open, ledger));
  setHandler(variantStateSignal, (update) => {
    const entry = open.get(update.variantId);
    if (!entry) return;
    entry.state = update.state;
    if (update.runwayTaskId !== undefined) entry.runwayTaskId = update.runwayTaskId;
    if (update.submissions !== undefined) entry.submissions = update.submissions;
  });
  setHandler(creditRequestSignal, (request) => ledger.onCreditRequest(request));
  setHandler(variantEndSignal, (end) => {
    const entry = open.get(end.variantId);
    // A repeat, or a child of another run of this campaign id: its outcome is counted once, by the run that started it.
    if (!entry || entry.workflowId !== end.workflowId) return;
    open.delete(end.variantId);
    ledger.settle(end.variantId, end.credits);
    record({
      index: entry.index,
      ...(entry.promptText !== undefined ? { promptText: entry.promptText } : {}),
      variantId: end.variantId,
      workflowId: end.workflowId,
      state: end.state,
      ...(end.result ? { result: end.result } : {}),
      ...(end.error ? { error: end.error } : {}),
      credits: end.credits,
    });
  });

  const activities = campaignActivities();
  const pages = input.variantPages;
  let page: { part: number; variants: CampaignVariant[] } | undefined;
  const variantAt = async (index: number): Promise<CampaignVariant> => {
    if (!pages) return input.variants[index]!;
    const part = Math.floor(index / pages.perPart);
    if (page?.part !== part) {
      const variants = await activities.readVariantPart.executeWithOptions(
        { summary: `read variants part ${part + 1} of ${pages.keys.length}` },
        [{ bucket: pages.bucket, key: pages.keys[part]!, sha256: pages.partSha256[part]! }],
      );
      page = { part, variants };
    }
    return page.variants[index - part * pages.perPart]!;
  };
  const manifestBase = manifestObjectKey(input.archive.prefix, input.campaignId).replace(
    /manifest\.json$/,
    `manifest/${workflowInfo().firstExecutionRunId}/`,
  );
  const flushManifest = async () => {
    if (carry.pendingManifest.length === 0) return;
    const entries = carry.pendingManifest.splice(0, carry.pendingManifest.length);
    const key = `${manifestBase}part-${String(carry.manifestParts.length + 1).padStart(5, '0')}.jsonl`;
    carry.manifestParts.push(
      await activities.writeManifestPart.executeWithOptions({ summary: `manifest part of ${entries.length} outcomes` }, [
        { bucket: input.archive.bucket, key, entries },
      ]),
    );
  };

  const writeIndex = async (status: 'completed' | 'cancelled') => {
    const sorted = [...outcomes].sort((a, b) => a.index - b.index);
    const index = {
      campaignId: input.campaignId,
      workflowId: workflowInfo().workflowId,
      runId: workflowInfo().firstExecutionRunId,
      writtenAt: new Date(Date.now()).toISOString(),
      status,
      total,
      archived: carry.archived,
      failed: carry.failed + carry.cancelled,
      reused: carry.reused,
      credits: carry.credits,
      runs: carry.runs,
      ...(status === 'cancelled' ? { cancelled: carry.cancelled, notStarted: total - carry.cursor } : {}),
      parts: carry.manifestParts.map((part) => ({ bucket: input.archive.bucket, ...part })),
      ...(keepOutcomes ? { variants: sorted.map(manifestEntry) } : {}),
    };
    return activities.writeManifest.executeWithOptions({ summary: `manifest index of ${input.campaignId}` }, [
      { bucket: input.archive.bucket, prefix: input.archive.prefix, campaignId: input.campaignId, manifest: index },
    ]);
  };

  // A child that closed without its end signal (terminated, timed out) is settled from what Temporal recorded.
  const sweepSilentChildren = async () => {
    const ids = [...open.values()].filter((entry) => !entry.starting).map((entry) => entry.workflowId);
    if (ids.length === 0) return;
    const closed = await activities.closedChildren.executeWithOptions({ summary: `check ${ids.length} open children` }, [ids]);
    for (const child of closed) {
      const entry = [...open.values()].find((candidate) => candidate.workflowId === child.workflowId);
      if (!entry) continue;
      open.delete(entry.variantId);
      const base = {
        index: entry.index,
        ...(entry.promptText !== undefined ? { promptText: entry.promptText } : {}),
        variantId: entry.variantId,
        workflowId: entry.workflowId,
      };
      if (child.result) {
        ledger.settle(entry.variantId, child.result.credits);
        record({ ...base, state: 'archived', result: child.result, credits: child.result.credits });
        continue;
      }
      // What it billed is unknown: its reservation stays held, so the budget cannot be exceeded.
      ledger.settle(entry.variantId, undefined);
      record({
        ...base,
        state: 'failed',
        error: { type: FailureType.Unexpected, message: `the video workflow ended ${child.status} without reporting its outcome` },
        credits: 0,
      });
    }
  };

  const maxOpen = input.maxOpenVideos ?? DEFAULT_MAX_OPEN_VIDEOS;
  const handOverEvery = input.continueAsNewEvery ?? DEFAULT_CONTINUE_AS_NEW_EVERY;
  const parent = { ...input, imageUploads: new PromptImageUploads() };
  const starting = new Set<Promise<void>>();
  let startedThisRun = 0;
  const handOver = () => (carry.cursor < total && startedThisRun >= handOverEvery) || workflowInfo().continueAsNewSuggested;
  const finished = () => carry.cursor >= total && open.size === 0 && starting.size === 0;

  try {
    if (carry.cursor === 0 && open.size === 0) {
      if (pages) await checkWorkspaceFor(`campaign ${input.campaignId}`, pages.models, pages.estimatedCredits);
      else
        await checkWorkspaceFirst(
          `campaign ${input.campaignId}`,
          input.variants.map((variant) => variant.request),
        );
    }
    for (;;) {
      while (carry.cursor < total && open.size < maxOpen && !handOver()) {
        const index = carry.cursor;
        const variant = await variantAt(index);
        carry.cursor += 1;
        startedThisRun += 1;
        const launched = launchVariant(parent, variant, index, ledger, open, record);
        if (launched) {
          starting.add(launched);
          void launched.finally(() => starting.delete(launched));
        }
        carry.maxOpen = Math.max(carry.maxOpen, open.size);
      }
      if (finished()) break;
      if (handOver()) {
        // Starts in flight settle here (their children then belong to the open set the next run receives).
        await condition(() => starting.size === 0);
        await flushManifest();
        await condition(allHandlersFinished);
        const next: CampaignWorkflowInput = {
          ...input,
          carry: {
            ...carry,
            runs: carry.runs + 1,
            open: [...open.values()].map(({ starting: _starting, ...entry }) => entry),
            ledger: ledger.exportState(),
            ...(keepOutcomes ? { outcomes } : {}),
          },
        };
        return await continueAsNew<typeof CampaignWorkflow>(next);
      }
      const woke = await condition(
        () => finished() || (carry.cursor < total && open.size < maxOpen) || carry.pendingManifest.length >= MANIFEST_BATCH || handOver(),
        SWEEP_AFTER,
      );
      if (!woke) await sweepSilentChildren();
      if (carry.pendingManifest.length >= MANIFEST_BATCH) await flushManifest();
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // What was archived before the cancel is still the team's: the index says so, and which variants never started.
    await CancellationScope.nonCancellable(async () => {
      await cancelOpenChildren(open);
      await flushManifest();
      await writeIndex('cancelled');
    });
    throw error;
  }

  await flushManifest();
  const written = await writeIndex('completed');
  await condition(allHandlersFinished);
  return {
    campaignId: input.campaignId,
    manifest: written,
    total,
    archived: carry.archived,
    failed: carry.failed + carry.cancelled,
    credits: carry.credits,
    reused: carry.reused,
    cancelled: carry.cancelled,
    runs: carry.runs,
    maxOpen: carry.maxOpen,
    variants: [...outcomes].sort((a, b) => a.index - b.index).map(({ index: _index, promptText: _promptText, ...outcome }) => outcome),
  };
}

function freshCarry(): CampaignCarry {
  return {
    cursor: 0,
    runs: 1,
    archived: 0,
    failed: 0,
    cancelled: 0,
    reused: 0,
    credits: 0,
    maxOpen: 0,
    open: [],
    ledger: { open: [], settledSpent: 0 },
    manifestParts: [],
    pendingManifest: [],
    recent: [],
    failedRecent: [],
  };
}

/**
 * Start one variant's child, or settle it at once: refused by the budget (nothing started), or archived by
 * an earlier run of this campaign id (its result reused). Returns the start in flight, if any.
 */
function launchVariant(
  input: Input & { imageUploads: PromptImageUploads },
  variant: CampaignVariant,
  index: number,
  ledger: CampaignLedger,
  open: Map<string, OpenVariant>,
  record: (outcome: KeptOutcome) => void,
): Promise<void> | undefined {
  const workflowId = variantWorkflowId(input.campaignId, variant);
  const promptText = variant.request.promptText;
  const base = { index, ...(promptText !== undefined ? { promptText } : {}), variantId: variant.variantId, workflowId };
  const estimate = creditsFor(variant.request.model, variant.request.duration);
  if (!ledger.reserve(variant.variantId, estimate)) {
    ledger.settle(variant.variantId, 0);
    record({
      ...base,
      state: 'failed',
      error: {
        type: FailureType.BudgetExceeded,
        message: `needs ${estimate} credits; the campaign budget of ${input.budgetCredits} credits has ${ledger.remaining()} left`,
      },
      credits: 0,
    });
    return undefined;
  }
  const entry: OpenVariant = { ...base, state: 'waiting', starting: true };
  open.set(variant.variantId, entry);
  return (async () => {
    try {
      await startVariantChild(input, variant, workflowId);
      entry.starting = false;
    } catch (error) {
      // The campaign's own cancellation is handled by its main loop (it cancels every open child).
      if (isCancellation(error)) return;
      if (open.get(variant.variantId) !== entry) return;
      open.delete(variant.variantId);
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        try {
          const result = await reusedResult(variant, workflowId);
          ledger.settle(variant.variantId, 0);
          record({ ...base, state: 'archived', result, credits: 0, reused: true });
        } catch (reuseError) {
          if (isCancellation(reuseError)) return;
          ledger.settle(variant.variantId, 0);
          record({ ...base, state: 'failed', error: variantError(reuseError), credits: 0 });
        }
        return;
      }
      // Nothing was submitted: the child never started (its prompt image could not be uploaded, say).
      ledger.settle(variant.variantId, 0);
      record({ ...base, state: 'failed', error: variantError(error), credits: 0 });
    }
  })();
}

/** A child that outlives its starting run: ABANDON, and it reports its end by signal (reportEnd). */
async function startVariantChild(
  input: Input & { imageUploads: PromptImageUploads },
  variant: CampaignVariant,
  workflowId: string,
): Promise<void> {
  const request = await input.imageUploads.withUpload(variant.request);
  await startChild(VideoGenerationWorkflow, videoChildOptions(input, variant, request, workflowId, { reportEnd: true }));
}

/**
 * How every workload starts one video child: deterministic id, the reuse policy that never regenerates an
 * archived variant, its visibility. A campaign's window children report their end by signal and outlive a
 * hand-over (ABANDON); the children B-roll and explainers await are cancelled with their parent.
 */
function videoChildOptions(
  input: Pick<Input, 'campaignId' | 'archive' | 'options' | 'budgetCredits' | 'taskQueue'>,
  variant: { variantId: string; request: ResolvedGenerationRequest; fingerprint: string },
  request: ResolvedGenerationRequest,
  workflowId: string,
  { reportEnd }: { reportEnd: boolean },
) {
  return {
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
        fingerprint: variant.fingerprint,
        ...(reportEnd ? { reportEnd: true } : {}),
      },
    ] as [VideoWorkflowInput],
    // A variant archived by an earlier run of this campaign is reused, never generated again.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    parentClosePolicy: reportEnd ? ParentClosePolicy.ABANDON : ParentClosePolicy.REQUEST_CANCEL,
    ...videoVisibility({
      campaignId: input.campaignId,
      variantId: variant.variantId,
      request: variant.request,
      fingerprint: variant.fingerprint,
      label: variant.variantId,
    }),
  };
}

/** The result archived under the variant's id by an earlier run, when it was made from the same request. */
async function reusedResult(variant: { fingerprint: string }, workflowId: string): Promise<VideoResult> {
  const previous = await campaignActivities().previousVideoResult.executeWithOptions(
    { summary: `reuse the archived result of ${workflowId}` },
    [workflowId],
  );
  if (previous.fingerprint !== variant.fingerprint) throw variantChanged(workflowId, previous.fingerprint);
  return previous;
}

function variantChanged(workflowId: string, previous: string | undefined): ApplicationFailure {
  // The client refuses a changed variant before the campaign starts; this guards every other starter.
  return ApplicationFailure.create({
    type: FailureType.VariantChanged,
    nonRetryable: true,
    message: `${workflowId} already holds a clip made from ${previous ? 'a different request' : 'a request of unknown fingerprint'}; use a new variant id, or set regenerate: true on the variant to archive a new clip beside it`,
  });
}

/**
 * The campaign was cancelled: its children are ABANDON (they outlive hand-overs), so each open one is
 * cancelled by id; each DELETEs its remote task and reports 'cancelled'. Waits a bounded time for those reports.
 */
async function cancelOpenChildren(open: Map<string, OpenVariant>): Promise<void> {
  await Promise.all(
    [...open.values()].map(async (entry) => {
      try {
        await getExternalWorkflowHandle(entry.workflowId).cancel();
      } catch {
        // Already closed (it ended as the campaign was cancelled) or never started: nothing to cancel.
        open.delete(entry.variantId);
      }
    }),
  );
  await condition(() => open.size === 0, CANCEL_DRAIN);
}

function manifestEntry(outcome: KeptOutcome): Record<string, unknown> {
  return {
    variantId: outcome.variantId,
    workflowId: outcome.workflowId,
    status: outcome.state,
    ...(outcome.promptText !== undefined ? { promptText: outcome.promptText } : {}),
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
  };
}

function progressEntry(outcome: KeptOutcome): ProgressEntry {
  return {
    variantId: outcome.variantId,
    state: outcome.state,
    ...(outcome.result ? { runwayTaskId: outcome.result.runwayTaskId, submissions: outcome.result.submissions } : {}),
    ...(outcome.error ? { error: `${outcome.error.type}: ${outcome.error.message}` } : {}),
  };
}

/** Counts over the whole campaign; the open variants and the most recent ends, bounded. */
function progress(
  campaignId: string,
  total: number,
  carry: CampaignCarry,
  open: Map<string, OpenVariant>,
  ledger: CampaignLedger,
): CampaignProgress {
  const counts = Object.fromEntries(videoStateSchema.options.map((state) => [state, 0])) as Record<VideoState, number>;
  for (const entry of open.values()) counts[entry.state as VideoState] += 1;
  counts.archived += carry.archived;
  counts.failed += carry.failed;
  counts.cancelled += carry.cancelled;
  counts.waiting += total - carry.cursor;
  const openEntries: ProgressEntry[] = [...open.values()].map((entry) => ({
    variantId: entry.variantId,
    state: entry.state as VideoState,
    ...(entry.runwayTaskId !== undefined ? { runwayTaskId: entry.runwayTaskId } : {}),
    ...(entry.submissions !== undefined ? { submissions: entry.submissions } : {}),
  }));
  return {
    campaignId,
    total,
    counts,
    variants: [...openEntries, ...(carry.recent as ProgressEntry[])],
    failed: carry.failedRecent as ProgressEntry[],
    creditsReserved: ledger.creditsReserved(),
    creditsSpent: ledger.creditsSpent(),
    started: carry.cursor,
    open: open.size,
    maxOpen: carry.maxOpen,
    runs: carry.runs,
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
  // The fingerprint stays that of the staged image: an upload is the same image under a URI.
  const request = await input.imageUploads.withUpload(variant.request);
  try {
    const child = await startChild(VideoGenerationWorkflow, videoChildOptions(input, variant, request, workflowId, { reportEnd: false }));
    return { result: await child.result(), reused: false };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { result: await reusedResult(variant, workflowId), reused: true };
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
