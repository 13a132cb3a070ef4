import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../schemas/failures';
import type { JournalKey, SubmissionJournal } from './submission-journal';

/** One scheduled activity, the same across its attempts, and which attempt is asking. */
export interface ActivityKey extends JournalKey {
  attempt: number;
  /** When no attempt of the activity can run any more (first scheduled + its schedule-to-close timeout), if it has one. */
  lastAttemptBy?: number;
}

/**
 * The Runway tasks this worker created, by the activity that created them: in memory, and in the journals
 * given (local disk, S3 shared by every replica). A retry of the same activity adopts its task instead of
 * POSTing again when the earlier attempt's heartbeat (the durable record) never reached Temporal: the
 * server was down, so it timed the live attempt out. A retry that starts while the earlier POST is in
 * flight on this worker waits for its answer. Entries stay until they expire, not until the activity
 * returns: Temporal rejects the result of an attempt it already timed out, and runs the activity again.
 * A settled entry keeps the task's record only: the promise of a POST carries the activity's async
 * context (its logger, heartbeat, timers), which a kept promise would hold for as long as the entry.
 */
export class SubmissionLedger<Entry extends object> {
  private readonly entries = new Map<string, { pending?: Promise<Entry>; created?: Entry; expiresAt: number }>();
  private prunedAt = 0;

  constructor(
    /** Read in this order after memory; every one written. */
    private readonly journals: SubmissionJournal<Entry>[] = [],
    /** A journal write (or prune) that failed: the memory entry, the other journals and the heartbeat still hold the task; never fail the POST for it. */
    private readonly onJournalError: (error: unknown, journal: string) => void = () => undefined,
    private readonly maxAgeMs = 24 * 60 * 60 * 1000,
  ) {
    this.pruneJournals();
  }

  /**
   * A copy of what an earlier attempt of `key` created (on this worker, before its restart, or on another
   * replica), if any. Rejects (retryably) when a journal cannot tell: submitting then could bill twice.
   */
  async find(key: ActivityKey): Promise<Entry | undefined> {
    const entry = this.entries.get(key.id);
    if (entry?.created) return { ...entry.created };
    if (entry?.pending) {
      try {
        return { ...(await entry.pending) };
      } catch {
        return undefined;
      }
    }
    // A first attempt has no earlier attempt: no journal read, so an S3 outage never holds up new work.
    if (key.attempt <= 1) return undefined;
    for (const journal of this.journals) {
      let found: Entry | undefined;
      try {
        found = await journal.read(key);
      } catch (error) {
        throw ApplicationFailure.retryable(
          `cannot read the ${journal.name} submission journal, so cannot tell whether an earlier attempt already created this task: ${String(error)}`,
          FailureType.SubmissionJournalUnavailable,
        );
      }
      if (found) return found;
    }
    return undefined;
  }

  /** Runs `create` (the POST) and keeps its result for later attempts, journalled before it resolves; a failed create leaves nothing. */
  record(key: ActivityKey, create: () => Promise<Entry>): Promise<Entry> {
    this.prune();
    const created = create().then(async (entry) => {
      await Promise.all(
        this.journals.map((journal) => journal.write(key, entry).catch((error: unknown) => this.onJournalError(error, journal.name))),
      );
      return entry;
    });
    const pending = { pending: created, expiresAt: Math.min(Date.now() + this.maxAgeMs, key.lastAttemptBy ?? Infinity) };
    this.entries.set(key.id, pending);
    created.then(
      (entry) => {
        if (this.entries.get(key.id) === pending) this.entries.set(key.id, { created: entry, expiresAt: pending.expiresAt });
      },
      () => {
        if (this.entries.get(key.id) === pending) this.entries.delete(key.id);
      },
    );
    return created;
  }

  /** Entries older than any attempt of their activity can be (its schedule-to-close timeout, else maxAge) go, at most once a minute. */
  private prune(): void {
    const now = Date.now();
    if (now - this.prunedAt < 60_000) return;
    this.prunedAt = now;
    for (const [key, entry] of this.entries) if (entry.expiresAt < now) this.entries.delete(key);
    this.pruneJournals();
  }

  /** In the background: a prune never delays a submission. */
  private pruneJournals(): void {
    for (const journal of this.journals) journal.prune(this.maxAgeMs).catch((error: unknown) => this.onJournalError(error, journal.name));
  }
}

/** One scheduled activity, the same across its attempts. */
export function activityKey(info: {
  workflowExecution?: { workflowId: string; runId: string };
  activityId: string;
  scheduledTimestampMs?: number;
  scheduleToCloseTimeoutMs?: number;
  attempt?: number;
}): ActivityKey {
  const firstScheduledAt = info.scheduledTimestampMs ?? 0;
  return {
    id: `${info.workflowExecution?.workflowId ?? ''}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`,
    firstScheduledAt,
    attempt: info.attempt ?? 1,
    ...(info.scheduleToCloseTimeoutMs && firstScheduledAt ? { lastAttemptBy: firstScheduledAt + info.scheduleToCloseTimeoutMs } : {}),
  };
}
