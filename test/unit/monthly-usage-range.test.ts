import { monthlyUsageRange, usageCredits } from '../../schemas';
import { SpendLedger } from '../../simulator/spend';

describe('monthlyUsageRange', () => {
  it('covers the 29 UTC days before today, today and tomorrow', () => {
    expect(monthlyUsageRange(new Date('2026-03-01T12:00:00Z'))).toEqual({ startDate: '2026-01-31', beforeDate: '2026-03-03' });
  });

  it('counts a charge Runway already dated tomorrow, its clock ahead of the worker’s at midnight UTC', () => {
    // The simulator at 600×: reset two minutes before midnight, other clients' 30 credits at once, the
    // workspace's own 60 two real seconds (20 simulated minutes) later, dated the next day.
    const resetAt = Date.parse('2026-12-07T23:58:00Z');
    const runway = new SpendLedger(resetAt);
    runway.charge('gen4.5', 30, 0);
    runway.charge('gen4.5', 60, 1_200);
    const { startDate, beforeDate } = monthlyUsageRange(new Date(resetAt + 3_000));
    expect(usageCredits({ results: runway.usageByDay(startDate, beforeDate) })).toBe(90);
  });
});
