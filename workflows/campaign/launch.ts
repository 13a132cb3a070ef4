import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CampaignVariant } from '../../schemas';
import { generationError, reusedResult, startAndReport, type GenerationParent } from '../generation/children';
import type { CreditBook } from '../generation/credit-book';
import { workflowIdOfVariant } from './ids';
import type { KeptOutcome, OpenVariant } from './manifest';

/** How long a cancelled campaign waits for its open children to report their cancellation (their DELETEs). */
const CANCEL_DRAIN = '2 minutes';

/**
 * Start one variant's child, or settle it at once: refused by the budget (nothing started), or archived by
 * an earlier run of this campaign id (its result reused). Returns the start in flight, if any.
 */
export function launchVariant(
  parent: GenerationParent,
  variant: CampaignVariant,
  index: number,
  creditBook: CreditBook,
  open: Map<string, OpenVariant>,
  record: (outcome: KeptOutcome) => void,
): Promise<void> | undefined {
  const workflowId = workflowIdOfVariant(parent.workloadId, variant);
  const promptText = variant.request.promptText;
  const base = { index, ...(promptText !== undefined ? { promptText } : {}), variantId: variant.variantId, workflowId };
  const refused = creditBook.reserveFirst(variant.variantId, variant.request);
  if (refused) {
    record({ ...base, state: 'failed', error: refused, credits: 0 });
    return undefined;
  }
  const entry: OpenVariant = { ...base, state: 'waiting', starting: true };
  open.set(variant.variantId, entry);
  return (async () => {
    try {
      // A start cancelled after its command went out resolves at once while the server may still start the
      // child, which no one would then cancel: the start runs to its answer, and the cancel path waits for it.
      await CancellationScope.nonCancellable(() =>
        startAndReport(parent, { key: variant.variantId, request: variant.request, fingerprint: variant.fingerprint }, workflowId),
      );
      entry.starting = false;
    } catch (error) {
      // The campaign's own cancellation is handled by its main loop (it cancels every open child).
      if (isCancellation(error)) return;
      if (open.get(variant.variantId) !== entry) return;
      open.delete(variant.variantId);
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        try {
          const result = await reusedResult(variant, workflowId);
          creditBook.settle(variant.variantId, 0);
          record({ ...base, state: 'archived', result, credits: 0, reused: true });
        } catch (reuseError) {
          if (isCancellation(reuseError)) return;
          creditBook.settle(variant.variantId, 0);
          record({ ...base, state: 'failed', error: generationError(reuseError), credits: 0 });
        }
        return;
      }
      // Nothing was submitted: the child never started (its prompt image could not be uploaded, say).
      creditBook.settle(variant.variantId, 0);
      record({ ...base, state: 'failed', error: generationError(error), credits: 0 });
    }
  })();
}

/**
 * The campaign was cancelled: its children are ABANDON (they outlive hand-overs), so each open one is
 * cancelled by id; each DELETEs its remote task and reports 'cancelled'. Waits a bounded time for those reports.
 */
export async function cancelOpenChildren(open: Map<string, OpenVariant>): Promise<void> {
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
