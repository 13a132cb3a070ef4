/**
 * The Runway tasks this worker process created, by the activity that created them, until that activity
 * ends. A retry of the same activity adopts its task instead of POSTing again when the earlier attempt's
 * heartbeat (the durable record) never reached Temporal — the server was down, so Temporal timed the
 * attempt out while it was alive and polling. A retry that starts while the earlier attempt's POST is
 * still in flight waits for its answer.
 */
export class SubmissionLedger<Entry extends object> {
  private readonly entries = new Map<string, { created: Promise<Entry>; at: number }>();

  constructor(private readonly maxAgeMs = 24 * 60 * 60 * 1000) {}

  /** A copy of what an earlier attempt of `activityKey` created here, if any. */
  async find(activityKey: string): Promise<Entry | undefined> {
    const entry = this.entries.get(activityKey);
    if (!entry) return undefined;
    try {
      return { ...(await entry.created) };
    } catch {
      return undefined;
    }
  }

  /** Runs `create` (the POST) and keeps its result for later attempts; a failed create leaves nothing. */
  record(activityKey: string, create: () => Promise<Entry>): Promise<Entry> {
    this.prune();
    const created = create();
    this.entries.set(activityKey, { created, at: Date.now() });
    created.catch(() => {
      if (this.entries.get(activityKey)?.created === created) this.entries.delete(activityKey);
    });
    return created;
  }

  /** The activity ended for good (an outcome, a non-retryable failure, a cancel). */
  forget(activityKey: string): void {
    this.entries.delete(activityKey);
  }

  get size(): number {
    return this.entries.size;
  }

  /** A later attempt may have run on another worker: entries it never forgot here expire. */
  private prune(): void {
    const oldest = Date.now() - this.maxAgeMs;
    for (const [key, entry] of this.entries) if (entry.at < oldest) this.entries.delete(key);
  }
}

/** One scheduled activity, the same across its attempts. */
export function activityKey(info: { workflowExecution?: { workflowId: string; runId: string }; activityId: string }): string {
  return `${info.workflowExecution?.workflowId ?? ''}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`;
}
