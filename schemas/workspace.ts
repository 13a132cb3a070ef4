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
}

/** The workspace's limits with the deployment's optional ceiling (RUNWAY_MAX_CONCURRENCY) applied. */
export function workspaceLimits(organization: Organization, ceiling: number | undefined, refreshMs: number): WorkspaceLimits {
  const models: Record<string, ModelLimits> = {};
  for (const [model, tier] of Object.entries(organization.tier.models)) {
    const workspaceCap = tier.maxConcurrentGenerations;
    models[model] = {
      maxConcurrent: ceiling === undefined ? workspaceCap : workspaceCap === null ? ceiling : Math.min(workspaceCap, ceiling),
      maxDaily: tier.maxDailyGenerations,
      dailyGenerations: organization.usage.models[model]?.dailyGenerations ?? 0,
    };
  }
  return { creditBalance: organization.creditBalance, models, refreshMs };
}
