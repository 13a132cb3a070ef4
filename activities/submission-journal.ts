import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';

/** One scheduled activity, the same across its attempts (see activityKey()). */
export interface JournalKey {
  /** workflowId/runId/activityId */
  id: string;
  /** When the activity was first scheduled (ms since epoch): the S3 journal files its entry under that day. */
  firstScheduledAt: number;
}

/** Where the Runway tasks a worker created are recorded, so a retry of the same activity adopts its task. */
export interface SubmissionJournal<Entry extends object> {
  /** Named in the warning when a write fails. */
  readonly name: string;
  write(key: JournalKey, entry: Entry): Promise<void>;
  /** The entry of `key`, if this journal holds one; rejects only when it cannot tell. */
  read(key: JournalKey): Promise<Entry | undefined>;
  /** Drop what is older than any attempt of its activity can be. */
  prune(olderThanMs: number): Promise<void>;
}

/**
 * What a journal keeps of a submission: the task and when it was sent. Parsing through it on write keeps
 * everything else (a signed output URL, an error text) out of the files, and on read checks what comes back.
 */
export const journalledSubmissionSchema = z.object({
  taskId: z.string().min(1),
  submittedAt: z.number(),
  lastStatus: z.string(),
  polls: z.number().int().min(0),
  runningSince: z.number().optional(),
});

const recordSchema = z.object({ activityKey: z.string(), entry: z.unknown() });

function hashOf(key: JournalKey): string {
  return createHash('sha256').update(key.id).digest('hex').slice(0, 32);
}

function encode<Entry extends object>(schema: z.ZodType<Entry>, key: JournalKey, entry: Entry): string {
  return JSON.stringify({ activityKey: key.id, entry: schema.parse(entry) });
}

function decode<Entry extends object>(schema: z.ZodType<Entry>, key: JournalKey, text: string): Entry | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = recordSchema.safeParse(json);
  // A hash collision (or a file of another activity) is not this activity's task.
  if (!record.success || record.data.activityKey !== key.id) return undefined;
  const entry = schema.safeParse(record.data.entry);
  return entry.success ? entry.data : undefined;
}

/**
 * The journal on local disk, so a worker restarted on the same machine (or volume) still knows the tasks
 * it created even when S3 was unreachable too. One small file per activity, written (and fsynced) before
 * the heartbeat, pruned when it expires.
 */
export class DiskSubmissionJournal<Entry extends object> implements SubmissionJournal<Entry> {
  readonly name = 'disk';

  constructor(
    private readonly dir: string,
    private readonly schema: z.ZodType<Entry>,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  async write(key: JournalKey, entry: Entry): Promise<void> {
    const file = this.fileFor(key);
    // Unique per write: replicas may share the journal's volume, and containers all run as the same pid.
    const partial = `${file}.${randomUUID()}.tmp`;
    const handle = await fs.promises.open(partial, 'w');
    try {
      await handle.writeFile(encode(this.schema, key, entry));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(partial, file);
  }

  async read(key: JournalKey): Promise<Entry | undefined> {
    try {
      return decode(this.schema, key, await fs.promises.readFile(this.fileFor(key), 'utf8'));
    } catch {
      return undefined;
    }
  }

  async prune(olderThanMs: number): Promise<void> {
    const oldest = Date.now() - olderThanMs;
    for (const name of await fs.promises.readdir(this.dir)) {
      const file = path.join(this.dir, name);
      try {
        if ((await fs.promises.stat(file)).mtimeMs < oldest) await fs.promises.rm(file, { force: true });
      } catch {
        // removed meanwhile
      }
    }
  }

  private fileFor(key: JournalKey): string {
    return path.join(this.dir, `${hashOf(key)}.json`);
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The reserved folder inside the archive prefix; archive keys start with an id, which never starts with a dot. */
export const S3_JOURNAL_FOLDER = '.runway-temporal/submission-journal/';

export interface S3JournalOptions {
  bucket: string;
  /** The archive's S3_PREFIX: the journal lives inside it. */
  prefix: string;
  /** Tries of one write or read; each bounded by `tryTimeoutMs`. The write sits between the POST and the heartbeat. */
  tries?: number;
  tryTimeoutMs?: number;
  /** At most one prune per this interval per worker: a prune lists the journal's day folders. */
  pruneEveryMs?: number;
}

/**
 * The journal shared by every worker replica of the deployment, in the archive bucket: a retry that lands
 * on another machine than the attempt that POSTed still finds the task (Runway has no idempotency key and
 * no way to list tasks, so a task id recorded nowhere is lost and its retry would be billed twice).
 * Entries are filed by the UTC day their activity was first scheduled, so expiry removes whole days.
 */
export class S3SubmissionJournal<Entry extends object> implements SubmissionJournal<Entry> {
  readonly name = 's3';
  private readonly tries: number;
  private readonly tryTimeoutMs: number;
  private readonly pruneEveryMs: number;
  private prunedAt = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3JournalOptions,
    private readonly schema: z.ZodType<Entry>,
  ) {
    this.tries = options.tries ?? 3;
    this.tryTimeoutMs = options.tryTimeoutMs ?? 800;
    this.pruneEveryMs = options.pruneEveryMs ?? 60 * 60 * 1000;
  }

  /** The object that holds `key`'s entry. */
  keyFor(key: JournalKey): string {
    return `${this.root()}${dayOf(key.firstScheduledAt)}/${hashOf(key)}.json`;
  }

  async write(key: JournalKey, entry: Entry): Promise<void> {
    const body = encode(this.schema, key, entry);
    await this.withRetries((abortSignal) =>
      this.s3.send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key: this.keyFor(key), Body: body, ContentType: 'application/json' }),
        { abortSignal },
      ),
    );
  }

  async read(key: JournalKey): Promise<Entry | undefined> {
    const text = await this.withRetries(async (abortSignal) => {
      try {
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyFor(key) }), { abortSignal });
        return await object.Body!.transformToString();
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
    return text === undefined ? undefined : decode(this.schema, key, text);
  }

  /**
   * Day folders whose every activity is past `olderThanMs` go: an activity first scheduled on day D at the
   * latest at D+1 00:00 UTC, so its folder goes once D+1 + olderThanMs has passed.
   */
  async prune(olderThanMs: number): Promise<void> {
    const now = Date.now();
    if (now - this.prunedAt < this.pruneEveryMs) return;
    this.prunedAt = now;
    const root = this.root();
    const days: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: root, Delimiter: '/', ContinuationToken: token }),
      );
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) days.push(common.Prefix.slice(root.length, -1));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    for (const day of days) {
      const start = Date.parse(`${day}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(start) || start + DAY_MS + olderThanMs > now) continue;
      await this.removeFolder(`${root}${day}/`);
    }
  }

  private async removeFolder(folder: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: folder, ContinuationToken: token }));
      const objects = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (objects.length > 0)
        await this.s3.send(new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: objects, Quiet: true } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private root(): string {
    return `${this.options.prefix}${S3_JOURNAL_FOLDER}`;
  }

  /** A few quick tries: the write delays the heartbeat that records the task with Temporal. */
  private async withRetries<T>(call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.tries; attempt++) {
      try {
        return await call(AbortSignal.timeout(this.tryTimeoutMs));
      } catch (error) {
        lastError = error;
        if (attempt < this.tries) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    throw lastError;
  }
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isNotFound(error: unknown): boolean {
  const named = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return named.name === 'NoSuchKey' || named.name === 'NotFound' || named.$metadata?.httpStatusCode === 404;
}

/** The journals of a worker, in the order a retry reads them: local disk (when configured), then S3 (when configured). */
export function submissionJournals<Entry extends object>(
  deps: { s3: S3Client; submissionJournalDir?: string; submissionJournalS3?: { bucket: string; prefix: string } },
  schema: z.ZodType<Entry>,
): SubmissionJournal<Entry>[] {
  return [
    ...(deps.submissionJournalDir ? [new DiskSubmissionJournal(deps.submissionJournalDir, schema)] : []),
    ...(deps.submissionJournalS3 ? [new S3SubmissionJournal(deps.s3, deps.submissionJournalS3, schema)] : []),
  ];
}
