import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  setWorkflowOptions,
} from '@temporalio/workflow';
import type { CampaignCarry, CampaignResult, CampaignVariant, CampaignWorkflowInput } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { RESULT_VARIANTS_LIMIT } from '../../schemas/campaign-values';
import { requestCredits } from '../../schemas/generation-values';
import { campaignIdFromWorkflowId } from '../../schemas/scheduled-run';
import { campaignActivities, childActivities } from '../activity-stubs';
import { creditRequestSignal, campaignProgressQuery, generationEndSignal, generationStateSignal } from '../messages';
import { WorkloadIdKey } from '../search-attributes';
import { generationParent } from '../generation/children';
import { CreditBook } from '../generation/credit-book';
import { ManifestBuilder } from '../generation/manifest';
import { checkWorkspaceFirst, checkWorkspaceFor } from '../generation/workspace-check';
import { cancelOpenChildren, launchVariant } from './launch';
import { RECENT_LIMIT, campaignProgress, manifestEntry, progressEntry, type KeptOutcome, type OpenVariant } from './manifest';
import { DEFAULT_PRIORITY } from '../../schemas/priority-classes';
import { withWebhook } from '../delivery/announce';
import { versioned } from '../versioning';

const DEFAULT_MAX_OPEN_VIDEOS = 500;
/**
 * Each video signals its campaign about four times (queued, running, archiving… and its end; a budgeted one
 * also asks for credits) and Temporal accepts 10,000 signals per run: a run starts at most this many, with
 * up to `maxOpenVideos` more carried in, and stays well inside that.
 */
const DEFAULT_CONTINUE_AS_NEW_EVERY = 1000;
/** Outcomes per manifest part. */
const MANIFEST_BATCH = 500;
/** With no child ending for this long, ask Temporal which open children closed without reporting (terminated, timed out). */
const SWEEP_AFTER = '1 minute';

// Pinned: a campaign is over within hours, which a release can wait out; its runs (continue-as-new keeps the version)
// and children finish on the code they started on, so a change to it needs no patch. Schedules start each run on the current version.
setWorkflowOptions(versioned('PINNED'), CampaignWorkflow);

/**
 * A campaign of any size: at most `maxOpenVideos` children open at once, the next started as one ends, one
 * child per variant (deterministic ids, so re-running a campaign never repeats archived work), partial
 * failures tolerated. Variants come page by page from S3 (or inline for a small campaign); outcomes go to
 * S3 as manifest parts plus an index; the run continues as new every `continueAsNewEvery` started variants
 * (or when Temporal suggests it), handing over its cursor, counts, credit book and open children.
 * Children are started ABANDON and report their end by signal, so they outlive a hand-over.
 */
export async function CampaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignResult> {
  return withWebhook('campaign', input.options.webhook, () => runCampaign(input));
}

/**
 * The input is used as given, not parsed: the client builds it from a campaign file it has validated and parses it
 * with campaignWorkflowInputSchema before it starts the run or creates the schedule, and a run continued as new hands
 * over what it was given. Parsing here would evaluate every zod schema again in each campaign's first workflow task
 * (workflows/workload-schemas.ts), tens of milliseconds before its first child starts.
 */
async function runCampaign(rawInput: CampaignWorkflowInput): Promise<CampaignResult> {
  const input = withRunCampaignId(rawInput);
  const total = input.variantPages?.count ?? input.variants.length;
  const carry: CampaignCarry = input.carry ?? freshCarry();
  const creditBook = new CreditBook({ budgetCredits: input.budgetCredits, workload: 'campaign' });
  creditBook.restore(carry.creditBook);
  const open = new Map<string, OpenVariant>(carry.open.map((entry) => [entry.variantId, { ...entry }]));
  const keepOutcomes = total <= RESULT_VARIANTS_LIMIT;
  const outcomes: KeptOutcome[] = (carry.outcomes ?? []) as KeptOutcome[];
  const manifest = new ManifestBuilder(
    { bucket: input.archive.bucket, prefix: input.archive.prefix, workloadId: input.campaignId },
    carry.pendingManifest,
    carry.manifestParts,
  );

  const record = (outcome: KeptOutcome) => {
    if (outcome.state === 'archived') carry.archived += 1;
    else if (outcome.state === 'cancelled') carry.cancelled += 1;
    else carry.failed += 1;
    if (outcome.reused) carry.reused += 1;
    carry.credits += outcome.credits;
    manifest.add(manifestEntry(outcome));
    const shown = progressEntry(outcome);
    carry.recent = [...carry.recent.slice(-(RECENT_LIMIT - 1)), shown];
    if (outcome.state !== 'archived') carry.failedRecent = [...carry.failedRecent.slice(-(RECENT_LIMIT - 1)), shown];
    if (keepOutcomes) outcomes.push(outcome);
  };

  // Handlers before any await: signals that waited for this run (a hand-over, a child ending) land in them.
  setHandler(campaignProgressQuery, () => campaignProgress(input.campaignId, total, carry, open, creditBook));
  setHandler(generationStateSignal, (update) => {
    creditBook.onState(update);
    const entry = open.get(update.generationKey);
    if (!entry) return;
    entry.state = update.state;
    if (update.runwayTaskId !== undefined) entry.runwayTaskId = update.runwayTaskId;
    if (update.submissions !== undefined) entry.submissions = update.submissions;
  });
  setHandler(creditRequestSignal, (request) => creditBook.onCreditRequest(request));
  setHandler(generationEndSignal, (end) => {
    const entry = open.get(end.generationKey);
    // A repeat, or a child of another run of this campaign id: its outcome is counted once, by the run that started it.
    if (!entry || entry.workflowId !== end.workflowId) return;
    open.delete(end.generationKey);
    creditBook.settle(end.generationKey, end.credits);
    record({
      index: entry.index,
      ...(entry.promptText !== undefined ? { promptText: entry.promptText } : {}),
      variantId: end.generationKey,
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

  const writeIndex = (status: 'completed' | 'cancelled') => {
    const sorted = [...outcomes].sort((a, b) => a.index - b.index);
    return manifest.writeIndex({
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
      parts: manifest.partRefs(),
      ...(keepOutcomes ? { variants: sorted.map(manifestEntry) } : {}),
    });
  };

  // A child that closed without its end signal (terminated, timed out) is settled from what Temporal recorded.
  const sweepSilentChildren = async () => {
    const ids = [...open.values()].filter((entry) => !entry.starting).map((entry) => entry.workflowId);
    if (ids.length === 0) return;
    const closed = await childActivities().closedChildren.executeWithOptions({ summary: `check ${ids.length} open children` }, [ids]);
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
        creditBook.settle(entry.variantId, child.result.credits);
        record({ ...base, state: 'archived', result: child.result, credits: child.result.credits });
        continue;
      }
      // What it billed is unknown: its reservation stays held, so the budget cannot be exceeded.
      creditBook.settle(entry.variantId, undefined);
      record({
        ...base,
        state: 'failed',
        error: { type: FailureType.Unexpected, message: `the generation workflow ended ${child.status} without reporting its outcome` },
        credits: 0,
      });
    }
  };

  const maxOpen = input.maxOpenVideos ?? DEFAULT_MAX_OPEN_VIDEOS;
  const handOverEvery = input.continueAsNewEvery ?? DEFAULT_CONTINUE_AS_NEW_EVERY;
  const parent = generationParent(input.campaignId, input, DEFAULT_PRIORITY.campaign);
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
        const launched = launchVariant(parent, variant, index, creditBook, open, record);
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
        await manifest.flush();
        await condition(allHandlersFinished);
        const next: CampaignWorkflowInput = {
          ...input,
          carry: {
            ...carry,
            runs: carry.runs + 1,
            open: [...open.values()].map(({ starting: _starting, ...entry }) => entry),
            creditBook: creditBook.exportState(),
            ...(keepOutcomes ? { outcomes } : {}),
          },
        };
        return await continueAsNew<typeof CampaignWorkflow>(next);
      }
      const woke = await condition(
        () => finished() || (carry.cursor < total && open.size < maxOpen) || manifest.pendingCount() >= MANIFEST_BATCH || handOver(),
        SWEEP_AFTER,
      );
      if (!woke) await sweepSilentChildren();
      if (manifest.pendingCount() >= MANIFEST_BATCH) await manifest.flush();
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // What was archived before the cancel is still the team's: the index says so, and which variants never started.
    await CancellationScope.nonCancellable(async () => {
      // Every start in flight settles first, so each child that exists is in `open` and gets cancelled.
      await condition(() => starting.size === 0);
      await cancelOpenChildren(open);
      await manifest.flush();
      await writeIndex('cancelled');
    });
    throw error;
  }

  await manifest.flush();
  const written = await writeIndex('completed');
  await condition(allHandlersFinished);
  return {
    campaignId: input.campaignId,
    manifest: written,
    total,
    archived: carry.archived,
    failed: carry.failed + carry.cancelled,
    credits: carry.credits,
    estimatedCredits:
      input.variantPages?.estimatedCredits ?? input.variants.reduce((sum, variant) => sum + requestCredits(variant.request), 0),
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
    creditBook: { open: [], settledSpent: 0 },
    manifestParts: [],
    pendingManifest: [],
    recent: [],
    failedRecent: [],
  };
}

/**
 * A scheduled run's campaign id is derived from its workflow id, which the schedule suffixes with the
 * scheduled time: unique per run, the same on a retry. The schedule cannot know it, so it is upserted here.
 */
function withRunCampaignId(input: CampaignWorkflowInput): CampaignWorkflowInput {
  if (!input.campaignIdFromWorkflowId) return input;
  const campaignId = campaignIdFromWorkflowId(workflowInfo().workflowId);
  upsertSearchAttributes([{ key: WorkloadIdKey, value: campaignId }]);
  return { ...input, campaignId };
}
