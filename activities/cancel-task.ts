import { log } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import { toApplicationFailure } from './runway/errors';

/** Cancels (or deletes) a remote task; idempotent: a task Runway no longer knows counts as done. */
export function createCancelRunwayTask(deps: Pick<ActivityDeps, 'runway'>) {
  return async function cancelRunwayTask(taskId: string): Promise<{ deleted: boolean }> {
    try {
      const deleted = await deps.runway.deleteTask(taskId);
      log.info('Runway task cancelled', { runwayTaskId: taskId, deleted });
      return { deleted };
    } catch (error) {
      throw toApplicationFailure(error);
    }
  };
}
