/** Seconds in Runway's monthly spend window: "a 30-day window" (docs, Usage Tiers and Limits). */
export const SPEND_WINDOW_SECONDS = 30 * 86_400;

interface SpendEntry {
  /** Simulated second of the charge or refund. */
  atSim: number;
  model: string;
  /** Positive for a charge, negative for a refund. */
  credits: number;
}

/** One day's net credits per model, as POST /v1/organization/usage answers it. */
export interface UsageDay {
  date: string;
  usedCredits: Array<{ amount: number; model: string }>;
}

/**
 * Every credit charged and refunded, stamped with the simulated second it happened: the rolling 30-day
 * spend the monthly cap is checked against, and the per-day usage Runway reports. Simulated seconds map
 * to calendar dates from the moment the simulator started, so a 30-day window passes in 30 simulated days.
 */
export class SpendLedger {
  private readonly entries: SpendEntry[] = [];

  constructor(private readonly startedAtMs: number) {}

  charge(model: string, credits: number, atSim: number): void {
    if (credits !== 0) this.entries.push({ atSim, model, credits });
  }

  refund(model: string, credits: number, atSim: number): void {
    if (credits !== 0) this.entries.push({ atSim, model, credits: -credits });
  }

  /** Net credits charged in the window ending at `nowSim` (refunds count back). */
  spentInWindow(nowSim: number): number {
    const since = nowSim - SPEND_WINDOW_SECONDS;
    let total = 0;
    for (const entry of this.entries) if (entry.atSim > since) total += entry.credits;
    return total;
  }

  /** Net credits per model in the same window. */
  spentByModel(nowSim: number): Record<string, number> {
    const since = nowSim - SPEND_WINDOW_SECONDS;
    const byModel: Record<string, number> = {};
    for (const entry of this.entries) if (entry.atSim > since) byModel[entry.model] = (byModel[entry.model] ?? 0) + entry.credits;
    return byModel;
  }

  /** Usage per UTC day in [startDate, beforeDate) of the simulated calendar, days without usage left out. */
  usageByDay(startDate: string, beforeDate: string): UsageDay[] {
    const byDay = new Map<string, Map<string, number>>();
    for (const entry of this.entries) {
      const date = this.dateOf(entry.atSim);
      if (date < startDate || date >= beforeDate) continue;
      const models = byDay.get(date) ?? new Map<string, number>();
      models.set(entry.model, (models.get(entry.model) ?? 0) + entry.credits);
      byDay.set(date, models);
    }
    return [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, models]) => ({ date, usedCredits: [...models.entries()].map(([model, amount]) => ({ amount, model })) }));
  }

  /** The simulated calendar's date (YYYY-MM-DD, UTC) of a simulated second. */
  dateOf(simSeconds: number): string {
    return new Date(this.startedAtMs + simSeconds * 1000).toISOString().slice(0, 10);
  }
}
