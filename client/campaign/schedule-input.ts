import { z } from 'zod';
import { idSchema } from '../../schemas';
import { MAX_SCHEDULE_ID_LENGTH } from '../../schemas/scheduled-run';
import { cronProblem } from './cron';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** How often a schedule runs: "30s", "15m", "6h", "1d" (at least one second). */
export const scheduleIntervalSchema = z
  .string()
  .regex(/^\d+(s|m|h|d)$/, 'every must be a duration like "30s", "15m", "6h" or "1d"')
  .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS])
  .refine((ms) => ms >= 1000, 'every must be at least 1s')
  .refine((ms) => ms <= 36_500 * UNIT_MS.d, 'every must be at most 36500d');

/** A cron expression as Temporal reads it (./cron.ts): 5 fields (minute hour day-of-month month day-of-week), or "@every"/"@daily" forms. */
export const cronExpressionSchema = z
  .string()
  .trim()
  .superRefine((cron, context) => {
    const problem = cronProblem(cron);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

export const overlapSchema = z.enum(['skip', 'buffer_one', 'allow_all']);
export type Overlap = z.infer<typeof overlapSchema>;

export const scheduleIdSchema = idSchema('scheduleId').max(
  MAX_SCHEDULE_ID_LENGTH,
  `scheduleId must be at most ${MAX_SCHEDULE_ID_LENGTH} characters (its runs' ids append the scheduled time)`,
);

/** createSchedule's options besides the campaign: exactly one of cron and every. */
export const scheduleOptionsSchema = z
  .strictObject({
    scheduleId: scheduleIdSchema,
    cron: cronExpressionSchema.optional(),
    every: scheduleIntervalSchema.optional(),
    overlap: overlapSchema.default('skip'),
    paused: z.boolean().default(false),
    note: z.string().max(200).optional(),
  })
  .refine((options) => (options.cron === undefined) !== (options.every === undefined), {
    message: 'give exactly one of cron and every',
    path: ['cron'],
  });
export type ScheduleOptionsInput = z.input<typeof scheduleOptionsSchema>;
