import { z } from 'zod';
import { strictObject } from './strict-object';

/**
 * Completion notifications: an HTTPS POST of a workload's (or a generation's) typed result, signed per the
 * Standard Webhooks spec (standardwebhooks.com): `webhook-id`, `webhook-timestamp`, `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), the key a `whsec_<base64>` secret.
 */

const MAX_URL_LENGTH = 2048;

/** Where a workload or generation's end is announced: an https URL (the worker's fetch guard applies to it). */
export const webhookTargetSchema = strictObject({
  url: z
    .string()
    .max(MAX_URL_LENGTH, `webhook url must be at most ${MAX_URL_LENGTH} characters`)
    .superRefine((text, ctx) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `webhook url is not a valid URL: ${text}` });
        return;
      }
      if (url.protocol !== 'https:')
        ctx.addIssue({ code: 'custom', message: `webhook url must use https (got ${url.protocol.replace(':', '')})` });
      if (url.username || url.password)
        ctx.addIssue({ code: 'custom', message: 'webhook url must not carry credentials; receivers verify the signature' });
    }),
  /** Also announce each generation's end (a workload's options): one delivery per generation, besides the workload's own. */
  generations: z.boolean().optional(),
});

export type WebhookTarget = z.infer<typeof webhookTargetSchema>;

const webhookSubjectSchema = z.enum(['campaign', 'broll', 'explainer', 'generation']);

/**
 * The body of every delivery (Standard Webhooks' recommended envelope): `type` is `<subject>.completed` or
 * `<subject>.failed`; `data.result` is the workload's own typed result, `data.error` its typed failure.
 */
export const webhookEventSchema = z.object({
  type: z.string().regex(/^(campaign|broll|explainer|generation)\.(completed|failed)$/),
  timestamp: z.iso.datetime(),
  data: z.object({
    subject: webhookSubjectSchema,
    workflowId: z.string(),
    runId: z.string(),
    status: z.enum(['completed', 'failed']),
    result: z.unknown().optional(),
    error: z.object({ type: z.string(), message: z.string() }).optional(),
  }),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** What one delivery activity is asked to send: the id stays the same on every retry, receivers dedupe on it. */
export interface WebhookDelivery {
  url: string;
  messageId: string;
  event: WebhookEvent;
}

/** A delivery the receiver accepted (2xx). */
export interface WebhookReceipt {
  messageId: string;
  status: number;
  attempt: number;
  deliveredAt: string;
}

/** Where a delivery stands, as its workflow's query, memo and current details show it. */
export interface WebhookDeliveryStatus {
  state: 'delivering' | 'delivered' | 'failed';
  messageId: string;
  type: string;
  /** The receiver's origin (never its path: it may carry a token). */
  origin: string;
  attempts?: number;
  httpStatus?: number;
  deliveredAt?: string;
  error?: string;
}

/**
 * WEBHOOK_SECRET: `whsec_` and the base64 of 24 to 64 random bytes (the spec's range), e.g.
 * `echo whsec_$(openssl rand -base64 32)`. Unset: a delivery fails WebhookNotConfigured, nothing is sent.
 */
export const webhookSecretSchema = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value))
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    const key = value.startsWith('whsec_') ? value.slice('whsec_'.length) : undefined;
    const bytes = key !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(key) ? base64Bytes(key) : 0;
    if (bytes < 24 || bytes > 64)
      ctx.addIssue({
        code: 'custom',
        message: 'WEBHOOK_SECRET must be whsec_ and the base64 of 24 to 64 random bytes (echo whsec_$(openssl rand -base64 32))',
      });
  });

/** How many bytes a base64 text decodes to (no Buffer: schemas load in the workflow sandbox too). */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}
