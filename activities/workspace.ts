import { ApplicationFailure } from '@temporalio/common';
import { FailureType, monthlyUsageRange, usageCredits, workspaceLimits, type WorkspaceLimits } from '../schemas';
import type { ActivityDeps } from './deps';
import { toApplicationFailure } from './runway/errors';

export const DEFAULT_LIMITS_REFRESH_MS = 5 * 60_000;

type WorkspaceDeps = Pick<ActivityDeps, 'runway' | 'concurrencyCeiling' | 'limitsRefreshMs' | 'priorityAgingMs'>;

/** The lease pool's one source of capacity: the workspace's per-model limits, read from Runway now. */
export function createReadWorkspaceLimits(deps: WorkspaceDeps) {
  return async function readWorkspaceLimits(): Promise<WorkspaceLimits> {
    try {
      const [organization, usage] = await Promise.all([deps.runway.getOrganization(), deps.runway.getUsage(monthlyUsageRange(new Date()))]);
      return workspaceLimits(organization, deps.concurrencyCeiling, deps.limitsRefreshMs ?? DEFAULT_LIMITS_REFRESH_MS, {
        monthlySpent: usageCredits(usage),
        ...(deps.priorityAgingMs !== undefined ? { priorityAgingMs: deps.priorityAgingMs } : {}),
      });
    } catch (error) {
      throw toApplicationFailure(error);
    }
  };
}

export interface WorkspaceCheckInput {
  /** What is starting, for the message: "campaign spring-launch", "explainer why-sky". */
  workload: string;
  models: string[];
  /** The work's cost at list price, one submission per generation. */
  estimatedCredits: number;
}

export interface WorkspaceCheck {
  creditBalance: number;
  estimatedCredits: number;
  /** tier.maxMonthlyCreditSpend less the past 30 days' spend, when the work started. */
  monthlyRoom: number;
}

/**
 * Before any POST: every model the work needs is in the workspace, and its credits can pay the list-price
 * estimate. Either refusal is final and says what the workspace has.
 */
export function createCheckWorkspace(deps: Pick<ActivityDeps, 'runway'>) {
  return async function checkWorkspace(input: WorkspaceCheckInput): Promise<WorkspaceCheck> {
    let organization;
    let spent;
    try {
      const [read, usage] = await Promise.all([deps.runway.getOrganization(), deps.runway.getUsage(monthlyUsageRange(new Date()))]);
      organization = read;
      spent = usageCredits(usage);
    } catch (error) {
      throw toApplicationFailure(error);
    }
    const available = Object.keys(organization.tier.models);
    const missing = [...new Set(input.models)].filter((model) => !available.includes(model));
    if (missing.length > 0) {
      throw ApplicationFailure.create({
        type: FailureType.ModelUnavailable,
        nonRetryable: true,
        message: `${input.workload} needs ${missing.join(', ')}, which this Runway workspace does not have; it has: ${available.sort().join(', ')}`,
        details: [{ missing, available }],
      });
    }
    if (input.estimatedCredits > organization.creditBalance) {
      throw ApplicationFailure.create({
        type: FailureType.InsufficientCredits,
        nonRetryable: true,
        message: `${input.workload} needs about ${input.estimatedCredits} credits at list price; the Runway workspace has ${organization.creditBalance}. Top up the workspace, or run fewer variants.`,
        details: [{ estimatedCredits: input.estimatedCredits, creditBalance: organization.creditBalance }],
      });
    }
    const cap = organization.tier.maxMonthlyCreditSpend;
    const monthlyRoom = Math.max(0, cap - spent);
    if (input.estimatedCredits > monthlyRoom) {
      throw ApplicationFailure.create({
        type: FailureType.MonthlySpendCapReached,
        nonRetryable: true,
        message: `${input.workload} needs about ${input.estimatedCredits} credits at list price; the workspace has spent ${spent} of its maxMonthlyCreditSpend of ${cap} in the past 30 days, so ${monthlyRoom} are left. Run fewer generations, or wait for older spend to leave the 30-day window.`,
        details: [{ estimatedCredits: input.estimatedCredits, maxMonthlyCreditSpend: cap, spentInPast30Days: spent }],
      });
    }
    return { creditBalance: organization.creditBalance, estimatedCredits: input.estimatedCredits, monthlyRoom };
  };
}
