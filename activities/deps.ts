import type { S3Client } from '@aws-sdk/client-s3';
import type { SafeFetch } from '../infra/safe-fetch';
import type { RunwayClient } from './runway/client';
import type { PromptModerator } from './moderation';
import type { AppMetrics } from './metrics';

/** What activities need from the process: built once by the worker, injected here. */
export interface ActivityDeps {
  runway: RunwayClient;
  s3: S3Client;
  moderator: PromptModerator;
  metrics: AppMetrics;
  /** The deployment's optional ceiling under the workspace's per-model caps (RUNWAY_MAX_CONCURRENCY). */
  concurrencyCeiling?: number;
  /** How often the lease pool reads the workspace's limits again while it has work (RUNWAY_LIMITS_REFRESH), ms. */
  limitsRefreshMs?: number;
  /** Overrides the lease TTL the video workflow asks for (how often the pool checks a lease's holder is alive). */
  leaseTtlMs?: number;
  /** Where the generate activity journals the Runway tasks it created (SUBMISSION_JOURNAL_DIR); memory only without. */
  submissionJournalDir?: string;
  /** Where the generate activity journals them for every replica (the archive bucket, inside its prefix); no shared journal without. */
  submissionJournalS3?: { bucket: string; prefix: string };
  /** Age past which a prompt image's runway:// URI is uploaded again before a submission (RUNWAY_UPLOAD_REUSE_MS), ms; 23 h without. */
  uploadReuseMs?: number;
  /** Fetches a user's URLs (a prompt image to re-host), refusing private networks unless allowed; the strict policy without. */
  safeFetch?: SafeFetch;
  /** Download budget for one archive attempt, ms. */
  downloadTimeoutMs?: number;
}
