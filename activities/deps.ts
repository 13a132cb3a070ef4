import type { S3Client } from '@aws-sdk/client-s3';
import type { SafeFetch } from '../infra/safe-fetch';
import type { RunwayClient } from './runway/client';
import type { ModerationErrorPolicy } from '../schemas/moderation';
import type { ContentModerator } from './moderation';
import type { AppMetrics } from './metrics';

/** What activities need from the process: built once by the worker, injected here. */
export interface ActivityDeps {
  runway: RunwayClient;
  s3: S3Client;
  /** The offline term list, asked first. */
  moderator: ContentModerator;
  /** A moderation model asked after it, for the prompt text and the prompt images (MODERATION_PROVIDER). */
  moderationProvider?: ContentModerator;
  /** What a provider that cannot answer means (MODERATION_ON_ERROR): closed refuses to submit, open goes on. */
  moderationOnError?: ModerationErrorPolicy;
  metrics: AppMetrics;
  /** The deployment's optional ceiling under the workspace's per-model caps (RUNWAY_MAX_CONCURRENCY). */
  concurrencyCeiling?: number;
  /** How often the lease pool reads the workspace's limits again while it has work (RUNWAY_LIMITS_REFRESH), ms. */
  limitsRefreshMs?: number;
  /** The least time between two polls of one task (RUNWAY_POLL_FLOOR), ms; 5 s without. */
  pollFloorMs?: number;
  /** How long a priority class may be shut out of a model before it goes ahead once (RUNWAY_PRIORITY_AGING), ms. */
  priorityAgingMs?: number;
  /** Overrides the lease TTL the video workflow asks for (how often the pool checks a lease's holder is alive). */
  leaseTtlMs?: number;
  /** Where the generate activity journals the Runway tasks it created (SUBMISSION_JOURNAL_DIR); memory only without. */
  submissionJournalDir?: string;
  /** Where the generate activity journals them for every replica (the archive bucket, inside its prefix); no shared journal without. */
  submissionJournalS3?: { bucket: string; prefix: string };
  /** Age past which a prompt image's runway:// URI is uploaded again before a submission (RUNWAY_UPLOAD_REUSE_MS), ms; 23 h without. */
  uploadReuseMs?: number;
  /** The Standard Webhooks secret (WEBHOOK_SECRET) deliveries are signed with; none: deliveries fail WebhookNotConfigured. */
  webhookSecret?: string;
  /** Fetches a user's URLs (a prompt image to re-host, a webhook), refusing private networks unless allowed; the strict policy without. */
  safeFetch?: SafeFetch;
  /** Download budget for one archive attempt, ms. */
  downloadTimeoutMs?: number;
}
