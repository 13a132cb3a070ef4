import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ResolvedGenerationRequest } from '../../schemas';
import { FailureType } from '../../schemas/failures';
import { requestCredits } from '../../schemas/generation-values';
import { workspaceCheckActivities } from '../activity-stubs';

/**
 * Before a workload's first POST: the workspace has every model it needs and credits for its list-price
 * estimate (one submission per generation). A refusal fails the workload typed, naming both numbers.
 */
export async function checkWorkspaceFirst(workload: string, requests: readonly ResolvedGenerationRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const models = [...new Set(requests.map((request) => request.model))];
  const estimatedCredits = requests.reduce((sum, request) => sum + requestCredits(request), 0);
  await checkWorkspaceFor(workload, models, estimatedCredits);
}

/** The same check from a summary: a campaign stored in S3 is never all in the workflow's memory. */
export async function checkWorkspaceFor(workload: string, models: string[], estimatedCredits: number): Promise<void> {
  try {
    await workspaceCheckActivities().checkWorkspace.executeWithOptions(
      { summary: `check the Runway workspace for ${workload}: ${models.join(', ')}, about ${estimatedCredits} credits` },
      [{ workload, models, estimatedCredits }],
    );
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    throw ApplicationFailure.create({
      type: cause instanceof ApplicationFailure ? (cause.type ?? FailureType.Unexpected) : FailureType.Unexpected,
      message: cause?.message ?? error.message,
      nonRetryable: true,
      details: cause instanceof ApplicationFailure ? (cause.details ?? []) : [],
    });
  }
}
