import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65_535);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/** Every environment variable the stack launcher reads, with its default. */
export const stackEnvConfigSchema = z.object({
  STACK_DATA_DIR: optionalText,
  STACK_HOST: z.string().default('127.0.0.1'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  S3_PORT: port.default(9000),
  S3_BUCKET: z.string().min(3).default('runway-videos'),
  SIM_PORT: port.default(8787),
  CODEC_SERVER_PORT: port.default(8888),
  SIM_API_SECRET: optionalText,
  SIM_TIME_SCALE: optionalText,
  SIM_SEED: optionalText,
  SIM_CONCURRENCY: optionalText,
  SIM_CONFIG: optionalText,
  SIM_ENTRY: z.string().default('simulator/main.ts'),
  RUNWAYML_BASE_URL: optionalText,
  RUNWAYML_API_SECRET: optionalText,
});

export type StackEnvConfig = z.infer<typeof stackEnvConfigSchema>;

export function readStackEnvConfig(env: NodeJS.ProcessEnv = process.env): StackEnvConfig {
  const parsed = stackEnvConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid stack configuration in environment:\n  ${problems.join('\n  ')}`);
}
