import { getClient, log } from '@temporalio/activity';
import { generationStateSignal, type GenerationStateUpdate } from '../workflows/messages';

/**
 * Tell a parent workload (campaign, B-roll, explainer) a generation's state, by workflow id: the run that is
 * current, after a continue-as-new too. Best effort, as every state is: a generation's end, which the parent
 * must not miss, comes another way (the archive's end report, or the generation workflow).
 */
export async function showParentState(parentWorkflowId: string, update: GenerationStateUpdate): Promise<void> {
  try {
    await getClient().workflow.getHandle(parentWorkflowId).signal(generationStateSignal, update);
  } catch (error) {
    log.debug('could not show the parent workload the generation state', { state: update.state, error: String(error) });
  }
}
