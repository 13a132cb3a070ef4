import type { CampaignCarry, CampaignProgress, GenerationState, VariantOutcome } from '../../schemas';
import type { CreditBook } from '../generation/credit-book';
import { countStates } from '../generation/states';

/** Ended variants the progress query lists (recent and failed, each). */
export const RECENT_LIMIT = 50;

/** A variant's outcome as the campaign keeps it: its place in the campaign and its prompt, for the manifest. */
export type KeptOutcome = VariantOutcome & { index: number; promptText?: string };
type ProgressEntry = CampaignProgress['variants'][number];

/** A child started and not yet ended; `starting` while its start is in flight. */
export type OpenVariant = CampaignCarry['open'][number] & { starting?: boolean };

/** One line of the campaign's manifest: what the variant is, how it ended, where its clip is. */
export function manifestEntry(outcome: KeptOutcome): Record<string, unknown> {
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

/** An ended variant as the progress query lists it. */
export function progressEntry(outcome: KeptOutcome): ProgressEntry {
  return {
    variantId: outcome.variantId,
    state: outcome.state,
    ...(outcome.result ? { runwayTaskId: outcome.result.runwayTaskId, submissions: outcome.result.submissions } : {}),
    ...(outcome.error ? { error: `${outcome.error.type}: ${outcome.error.message}` } : {}),
  };
}

/** Counts over the whole campaign; the open variants and the most recent ends, bounded. */
export function campaignProgress(
  campaignId: string,
  total: number,
  carry: CampaignCarry,
  open: Map<string, OpenVariant>,
  creditBook: CreditBook,
): CampaignProgress {
  const counts = countStates([...open.values()].map((entry) => entry.state as GenerationState));
  counts.archived += carry.archived;
  counts.failed += carry.failed;
  counts.cancelled += carry.cancelled;
  counts.waiting += total - carry.cursor;
  const openEntries: ProgressEntry[] = [...open.values()].map((entry) => ({
    variantId: entry.variantId,
    state: entry.state as GenerationState,
    ...(entry.runwayTaskId !== undefined ? { runwayTaskId: entry.runwayTaskId } : {}),
    ...(entry.submissions !== undefined ? { submissions: entry.submissions } : {}),
  }));
  return {
    campaignId,
    total,
    counts,
    variants: [...openEntries, ...(carry.recent as ProgressEntry[])],
    failed: carry.failedRecent as ProgressEntry[],
    creditsReserved: creditBook.creditsReserved(),
    creditsSpent: creditBook.creditsSpent(),
    started: carry.cursor,
    open: open.size,
    maxOpen: carry.maxOpen,
    runs: carry.runs,
  };
}
