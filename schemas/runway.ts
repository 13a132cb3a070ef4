import { z } from 'zod';

/** Runway API wire shapes (API version 2024-11-06), as the official SDK's types describe them. */
export const RUNWAY_API_VERSION = '2024-11-06';
export const RUNWAY_DEFAULT_BASE_URL = 'https://api.dev.runwayml.com';

export const taskStatusSchema = z.enum(['PENDING', 'THROTTLED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

const costSchema = z.object({ credits: z.number() });

export const createTaskResponseSchema = z.object({
  id: z.string().min(1),
  estimatedCost: costSchema.optional(),
});
export type CreateTaskResponse = z.infer<typeof createTaskResponseSchema>;

const taskBase = {
  id: z.string().min(1),
  createdAt: z.string(),
};

export const taskSchema = z.discriminatedUnion('status', [
  z.object({ ...taskBase, status: z.literal('PENDING'), estimatedCost: costSchema.optional() }),
  z.object({ ...taskBase, status: z.literal('THROTTLED'), estimatedCost: costSchema.optional() }),
  z.object({
    ...taskBase,
    status: z.literal('RUNNING'),
    progress: z.number().min(0).max(1).optional(),
    estimatedCost: costSchema.optional(),
  }),
  z.object({ ...taskBase, status: z.literal('SUCCEEDED'), output: z.array(z.string()).min(1), cost: costSchema.optional() }),
  z.object({
    ...taskBase,
    status: z.literal('FAILED'),
    failure: z.string(),
    failureCode: z.string().optional(),
    cost: costSchema.optional(),
  }),
  z.object({ ...taskBase, status: z.literal('CANCELLED'), cost: costSchema.optional() }),
]);
export type RunwayTask = z.infer<typeof taskSchema>;

export const errorBodySchema = z.object({ error: z.string() }).passthrough();

export const organizationSchema = z.object({
  creditBalance: z.number(),
  tier: z.object({
    maxMonthlyCreditSpend: z.number(),
    models: z.record(z.string(), z.object({ maxConcurrentGenerations: z.number(), maxDailyGenerations: z.number() })),
  }),
  usage: z.object({
    models: z.record(z.string(), z.object({ dailyGenerations: z.number() })),
  }),
});
export type Organization = z.infer<typeof organizationSchema>;

/** Body of POST /v1/image_to_video. */
export interface ImageToVideoBody {
  model: string;
  promptImage: string | Array<{ uri: string; position: 'first' | 'last' }>;
  promptText?: string;
  ratio: string;
  duration?: number;
  seed?: number;
  audio?: boolean;
  contentModeration?: { publicFigureThreshold?: 'auto' | 'low' };
}

/** Body of POST /v1/text_to_video. */
export interface TextToVideoBody {
  model: string;
  promptText: string;
  ratio: string;
  duration?: number;
  seed?: number;
  audio?: boolean;
  contentModeration?: { publicFigureThreshold?: 'auto' | 'low' };
}

export function isSafetyFailure(failureCode: string | undefined): boolean {
  return failureCode?.startsWith('SAFETY.') ?? false;
}
