import { z } from 'zod';

/**
 * What happens when the moderation provider cannot answer (down, timing out, refusing the key):
 * `closed` refuses to submit (nothing unchecked is ever paid for), `open` goes on with the term list's
 * verdict alone and records that the provider was skipped.
 */
export const moderationErrorPolicySchema = z.enum(['closed', 'open']);
export type ModerationErrorPolicy = z.infer<typeof moderationErrorPolicySchema>;

/** One moderator's verdict on a generation's inputs, as the generation's history summary shows it. */
export const moderationVerdictSchema = z.object({
  /** `term-list`, or `openai:<model>` for the moderation endpoint. */
  moderator: z.string(),
  allowed: z.boolean(),
  /** Which inputs it looked at. */
  checked: z.array(z.enum(['text', 'image'])),
  /** Flagged categories (the provider's names, e.g. `violence/graphic`), or the blocked terms matched. */
  categories: z.array(z.string()),
  /** The provider could not answer and the policy is `open`: this verdict is the policy's, not the model's. */
  skipped: z.string().optional(),
});
export type ModerationVerdict = z.infer<typeof moderationVerdictSchema>;

/** What the pre-screen found: every moderator's verdict, and whether the generation may go on. */
export const screeningSchema = z.object({
  allowed: z.boolean(),
  verdicts: z.array(moderationVerdictSchema),
});
export type Screening = z.infer<typeof screeningSchema>;

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/**
 * The moderation provider, from the environment. Unset MODERATION_PROVIDER: the term list alone (offline).
 * `openai`: OpenAI's moderation endpoint, or any OpenAI-compatible one at MODERATION_BASE_URL, checked
 * after the term list for the prompt text and every prompt image.
 */
export const moderationEnvSchema = z.object({
  MODERATION_PROVIDER: z.enum(['none', 'openai', '']).default('none'),
  /** The OpenAI-compatible endpoint's base URL (…/v1); OpenAI's own without. */
  MODERATION_BASE_URL: optionalText.pipe(z.url().optional()),
  /** The key for the moderation endpoint (OpenAI's standard variable). */
  OPENAI_API_KEY: optionalText,
  MODERATION_MODEL: z.string().min(1).default('omni-moderation-latest'),
  MODERATION_ON_ERROR: moderationErrorPolicySchema.default('closed'),
  MODERATION_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
});
