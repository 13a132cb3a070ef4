import { z } from 'zod';
import { durationMsSchema } from './duration';
import { priorityClassSchema } from './priority';
import { webhookTargetSchema } from './webhook';
import { strictObject } from './strict-object';

/** Generation tuning, as a campaign file or a video request gives it (durations as "8s" or ms). */
export const generationOptionsInputSchema = strictObject({
  pollInterval: durationMsSchema.optional(),
  pollJitter: z.number().min(0).max(1).optional(),
  maxPendingWait: durationMsSchema.optional(),
  maxRunningWait: durationMsSchema.optional(),
  maxSubmissions: z.number().int().min(1).max(10).optional(),
  budgetCredits: z.number().nonnegative('options.budgetCredits must not be negative').optional(),
  /** The lease queue's class for this work's generations: interactive, normal or batch (default: by workload). */
  priority: priorityClassSchema.optional(),
  /** Announce the end (and, with `generations`, each generation's) to this https URL, signed (Standard Webhooks). */
  webhook: webhookTargetSchema.optional(),
});
export type GenerationOptionsInput = z.input<typeof generationOptionsInputSchema>;

export const DEFAULT_GENERATION_OPTIONS = {
  pollIntervalMs: 8_000,
  pollJitter: 0.25,
  maxPendingWaitMs: 20 * 60_000,
  maxRunningWaitMs: 30 * 60_000,
  maxSubmissions: 3,
} as const;

/** Resolved options, all in milliseconds: what workflows receive. */
export const generationOptionsSchema = z.object({
  pollIntervalMs: z.number().positive(),
  pollJitter: z.number().min(0).max(1),
  maxPendingWaitMs: z.number().positive(),
  maxRunningWaitMs: z.number().positive(),
  maxSubmissions: z.number().int().min(1),
  /** Absent: the workload's default class (schemas/priority.ts DEFAULT_PRIORITY). */
  priority: priorityClassSchema.optional(),
  webhook: webhookTargetSchema.optional(),
});
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;

export function resolveGenerationOptions(input: z.output<typeof generationOptionsInputSchema> = {}): GenerationOptions {
  return {
    pollIntervalMs: input.pollInterval ?? DEFAULT_GENERATION_OPTIONS.pollIntervalMs,
    pollJitter: input.pollJitter ?? DEFAULT_GENERATION_OPTIONS.pollJitter,
    maxPendingWaitMs: input.maxPendingWait ?? DEFAULT_GENERATION_OPTIONS.maxPendingWaitMs,
    maxRunningWaitMs: input.maxRunningWait ?? DEFAULT_GENERATION_OPTIONS.maxRunningWaitMs,
    maxSubmissions: input.maxSubmissions ?? DEFAULT_GENERATION_OPTIONS.maxSubmissions,
    ...(input.priority !== undefined ? { priority: input.priority } : {}),
    ...(input.webhook !== undefined ? { webhook: input.webhook } : {}),
  };
}

/** The least time between two polls of a task: Runway asks clients not to expect updates more often. */
export const DEFAULT_POLL_FLOOR_MS = 5_000;

/** Runway's 5 s floor in the real milliseconds of a stand-in running `timeScale` simulated seconds per second. */
export function pollFloorAtTimeScale(timeScale: number): number {
  return Math.ceil(DEFAULT_POLL_FLOOR_MS / timeScale);
}
