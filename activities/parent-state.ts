import { getClient, log } from '@temporalio/activity';
import { variantStateSignal, type VariantStateUpdate } from '../workflows/messages';

/**
 * Tell a parent workload (campaign, B-roll, explainer) a variant's state, by workflow id: the run that is
 * current, after a continue-as-new too. Best effort, as every state is: a variant's end, which the parent
 * must not miss, comes another way (the archive's end report, or the video workflow).
 */
export async function showParentState(parentWorkflowId: string, update: VariantStateUpdate): Promise<void> {
  try {
    await getClient().workflow.getHandle(parentWorkflowId).signal(variantStateSignal, update);
  } catch (error) {
    log.debug('could not show the parent workload the variant state', { state: update.state, error: String(error) });
  }
}
