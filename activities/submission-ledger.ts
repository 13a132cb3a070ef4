import type { SubmissionJournal } from './submission-journal';

/**
 * The Runway tasks this worker created, by the activity that created them (in memory, and in a journal
 * on disk when one is given). A retry of the same activity adopts its task instead of POSTing again when
 * the earlier attempt's heartbeat (the durable record) never reached Temporal: the server was down, so
 * it timed the live attempt out. A retry that starts while the earlier POST is in flight waits for its
 * answer. Entries stay until they expire, not until the activity returns: Temporal rejects the result
 * of an attempt it already timed out, and runs the activity again.
 */
export class SubmissionLedger<Entry extends object> {
  private readonly entries = new Map<string, { created: Promise<Entry>; at: number }>();
  private prunedAt = 0;

  constructor(
    private readonly journal?: SubmissionJournal<Entry>,
    /** A journal write that failed: the memory entry and the heartbeat still hold the task; never fail the POST for it. */
    private readonly onJournalError: (error: unknown) => void = () => undefined,
    private readonly maxAgeMs = 24 * 60 * 60 * 1000,
  ) {
    journal?.prune(maxAgeMs);
  }

  /** A copy of what an earlier attempt of `activityKey` created here (or before a restart), if any. */
  async find(activityKey: string): Promise<Entry | undefined> {
    const entry = this.entries.get(activityKey);
    if (!entry) return this.journal?.read(activityKey);
    try {
      return { ...(await entry.created) };
    } catch {
      return undefined;
    }
  }

  /** Runs `create` (the POST) and keeps its result for later attempts; a failed create leaves nothing. */
  record(activityKey: string, create: () => Promise<Entry>): Promise<Entry> {
    this.prune();
    const created = create().then((entry) => {
      try {
        this.journal?.write(activityKey, entry);
      } catch (error) {
        this.onJournalError(error);
      }
      return entry;
    });
    this.entries.set(activityKey, { created, at: Date.now() });
    created.catch(() => {
      if (this.entries.get(activityKey)?.created === created) this.entries.delete(activityKey);
    });
    return created;
  }

  /** Entries older than any attempt of their activity can be (its schedule-to-close timeout) go, at most once a minute. */
  private prune(): void {
    const now = Date.now();
    if (now - this.prunedAt < 60_000) return;
    this.prunedAt = now;
    for (const [key, entry] of this.entries) if (entry.at < now - this.maxAgeMs) this.entries.delete(key);
    this.journal?.prune(this.maxAgeMs);
  }
}

/** One scheduled activity, the same across its attempts. */
export function activityKey(info: { workflowExecution?: { workflowId: string; runId: string }; activityId: string }): string {
  return `${info.workflowExecution?.workflowId ?? ''}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`;
}
