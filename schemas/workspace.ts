import { z } from 'zod';

/**
 * `GET /v1/organization` as the official SDK types it (OrganizationRetrieveResponse): limits are per model;
 * null means no limit; `dailyGenerations` counts the past 24 hours (a rolling window, not a calendar day).
 */
export const organizationSchema = z.object({
  creditBalance: z.number(),
  tier: z.object({
    maxMonthlyCreditSpend: z.number(),
    models: z.record(
      z.string(),
      z.object({
        maxConcurrentGenerations: z.number().int().nonnegative().nullable(),
        maxDailyGenerations: z.number().int().nonnegative().nullable(),
      }),
    ),
  }),
  usage: z.object({ models: z.record(z.string(), z.object({ dailyGenerations: z.number().int().nonnegative() })) }),
});
export type Organization = z.infer<typeof organizationSchema>;

/** `POST /v1/organization/usage` as the SDK types it (OrganizationRetrieveUsageResponse): net credits per model per UTC day. */
export const organizationUsageSchema = z.object({
  results: z.array(z.object({ date: z.string(), usedCredits: z.array(z.object({ amount: z.number(), model: z.string() })) })),
});
export type OrganizationUsage = z.infer<typeof organizationUsageSchema>;

/**
 * The usage query that covers Runway's rolling 30-day spend window: the 29 UTC days before today, today,
 * and tomorrow (a superset of the last 30 × 24 h, so the count errs high, never low). Runway dates a
 * charge by its own clock: where that clock is ahead of the worker's (a few seconds at midnight UTC, or the
 * simulator's accelerated calendar), a charge made moments ago is already dated tomorrow, and a range that
 * ended today would leave it out. No charge is dated past Runway's today, so tomorrow adds nothing else.
 */
export function monthlyUsageRange(now: Date): { startDate: string; beforeDate: string } {
  const day = (offset: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset)).toISOString().slice(0, 10);
  return { startDate: day(-29), beforeDate: day(2) };
}

/** Credits a usage answer adds up to (refunds already netted per day by Runway). */
export function usageCredits(usage: OrganizationUsage): number {
  let total = 0;
  for (const day of usage.results) for (const used of day.usedCredits) total += used.amount;
  return total;
}

/** One model's limits as the lease pool applies them: the workspace's, the concurrency lowered by the deployment's ceiling. */
export interface ModelLimits {
  /** Live Runway tasks allowed at once; null: no limit. */
  maxConcurrent: number | null;
  /** Creates allowed in a rolling 24 h; null: no limit. */
  maxDaily: number | null;
  /** Creates Runway counted in the past 24 h when read. */
  dailyGenerations: number;
}

/** What the pool learns from one read of the workspace. */
export interface WorkspaceLimits {
  creditBalance: number;
  models: Record<string, ModelLimits>;
  /** How often the pool reads the workspace again while it has work (RUNWAY_LIMITS_REFRESH). */
  refreshMs: number;
  /** How long a priority class may be shut out of a model before it goes ahead once (RUNWAY_PRIORITY_AGING). */
  priorityAgingMs?: number;
  /** tier.maxMonthlyCreditSpend and the credits spent in the past 30 days (POST /v1/organization/usage). */
  monthly?: { cap: number; spent: number };
}

/** The workspace's limits with the deployment's optional ceiling (RUNWAY_MAX_CONCURRENCY) applied. */
export function workspaceLimits(
  organization: Organization,
  ceiling: number | undefined,
  refreshMs: number,
  extra: { monthlySpent?: number; priorityAgingMs?: number } = {},
): WorkspaceLimits {
  const models: Record<string, ModelLimits> = {};
  for (const [model, tier] of Object.entries(organization.tier.models)) {
    const workspaceCap = tier.maxConcurrentGenerations;
    models[model] = {
      maxConcurrent: ceiling === undefined ? workspaceCap : workspaceCap === null ? ceiling : Math.min(workspaceCap, ceiling),
      maxDaily: tier.maxDailyGenerations,
      dailyGenerations: organization.usage.models[model]?.dailyGenerations ?? 0,
    };
  }
  return {
    creditBalance: organization.creditBalance,
    models,
    refreshMs,
    ...(extra.priorityAgingMs !== undefined ? { priorityAgingMs: extra.priorityAgingMs } : {}),
    ...(extra.monthlySpent !== undefined ? { monthly: { cap: organization.tier.maxMonthlyCreditSpend, spent: extra.monthlySpent } } : {}),
  };
}
