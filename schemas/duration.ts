import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION_HINT = 'a duration like "8s", "250ms", "20m" or "1h", or a number of milliseconds';

/** A duration given as milliseconds or as a string like "8s", "250ms", "20m", "1.5h", "3d"; parsed to ms. */
export const durationMsSchema = z.union(
  [
    z.number().nonnegative().finite(),
    z
      .string()
      .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration like "8s", "250ms", "20m", "1h" or "3d"')
      .transform((text) => {
        const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
        const [, amount, unit] = match ?? [];
        return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
      }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `must be ${DURATION_HINT} (got ${JSON.stringify(issue.input)})` : undefined) },
);
