import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../infra/s3';
import { FailureType } from '../../schemas/failures';
import {
  DiskSubmissionJournal,
  journalledSubmissionSchema,
  S3SubmissionJournal,
  S3_JOURNAL_FOLDER,
} from '../../activities/submission-journal';
import { SubmissionLedger, type ActivityKey } from '../../activities/submission-ledger';
import type { Checkpoint } from '../../activities/generation-checkpoint';
import { listKeys } from '../helpers/s3-object';
import { s3Client, testStack } from '../helpers/stack';

const DAY_MS = 24 * 60 * 60 * 1000;
const prefix = `journal-unit-${Date.now()}/`;
let s3: S3Client;
let bucket: string;
let keys = 0;

beforeAll(() => {
  s3 = s3Client();
  bucket = testStack().s3.bucket;
});

afterAll(() => s3.destroy());

function s3Journal(options: { prefix?: string; client?: S3Client; tries?: number; tryTimeoutMs?: number } = {}) {
  return new S3SubmissionJournal<Checkpoint>(
    options.client ?? s3,
    {
      bucket,
      prefix: options.prefix ?? prefix,
      ...(options.tries ? { tries: options.tries } : {}),
      ...(options.tryTimeoutMs ? { tryTimeoutMs: options.tryTimeoutMs } : {}),
    },
    journalledSubmissionSchema,
  );
}

function newKey(firstScheduledAt = Date.now(), attempt = 2): ActivityKey {
  return { id: `wf-${++keys}/run-${keys}/1`, firstScheduledAt, attempt };
}

const checkpoint = (taskId: string): Checkpoint => ({ taskId, submittedAt: 1_700_000_000_000, lastStatus: 'SUBMITTED', polls: 0 });

/** S3 where nothing listens: every call fails fast (connection refused). */
function unreachableS3(): S3Client {
  const { s3: target } = testStack();
  return createS3Client({ ...target, endpoint: 'http://127.0.0.1:9' });
}

test('another replica (another journal instance) reads what one wrote, under <prefix>.runway-temporal/submission-journal/<day>/<hash>.json', async () => {
  const key = newKey(Date.parse('2026-11-30T23:59:00Z'));
  await s3Journal().write(key, checkpoint('task-a'));
  const objectKey = s3Journal().keyFor(key);
  expect(objectKey).toMatch(new RegExp(`^${prefix}\\.runway-temporal/submission-journal/2026-11-30/[0-9a-f]{32}\\.json$`));
  expect(await listKeys(`${prefix}${S3_JOURNAL_FOLDER}`)).toEqual([objectKey]);
  expect(await s3Journal().read(key)).toEqual(checkpoint('task-a'));
  expect(await s3Journal().read(newKey())).toBeUndefined();
  // Same hash folder, other activity: never someone else's task.
  expect(await s3Journal().read({ ...key, id: `${key.id}-other` })).toBeUndefined();
});

test('the entry holds the task and its timing only: nothing signed, no error text', async () => {
  const key = newKey();
  const signed = 'https://media.example/output.mp4?X-Amz-Signature=secret';
  const entry = {
    ...checkpoint('task-b'),
    lastError: { type: 'RunwayUnavailable', message: signed },
    output: [signed],
  } as Checkpoint;
  await s3Journal().write(key, entry);
  const stored = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: s3Journal().keyFor(key) }))).Body!.transformToString();
  expect(stored).not.toContain('Signature');
  expect(JSON.parse(stored)).toEqual({ activityKey: key.id, entry: checkpoint('task-b') });
});

test('an entry that is not a journal record (or is damaged) reads as nothing', async () => {
  const key = newKey();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: s3Journal().keyFor(key), Body: '{"activityKey":' }));
  expect(await s3Journal().read(key)).toBeUndefined();
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: s3Journal().keyFor(key),
      Body: JSON.stringify({ activityKey: key.id, entry: { taskId: 7 } }),
    }),
  );
  expect(await s3Journal().read(key)).toBeUndefined();
});

test('prune removes whole day folders older than any attempt can be, at most once per interval', async () => {
  const pruningPrefix = `${prefix}prune/`;
  const now = Date.now();
  const old = newKey(now - 3 * DAY_MS);
  const yesterday = newKey(now - DAY_MS);
  const today = newKey(now);
  const journal = s3Journal({ prefix: pruningPrefix });
  for (const key of [old, yesterday, today]) await journal.write(key, checkpoint(key.id));
  await journal.prune(DAY_MS);
  expect(await journal.read(old)).toBeUndefined();
  expect(await journal.read(yesterday)).toMatchObject({ taskId: yesterday.id }); // its activity may still be retried
  expect(await journal.read(today)).toMatchObject({ taskId: today.id });
  const remaining = await listKeys(`${pruningPrefix}${S3_JOURNAL_FOLDER}`);
  expect(remaining).toHaveLength(2);

  // Within the hour the same worker does not list the journal again.
  const older = newKey(now - 5 * DAY_MS);
  await journal.write(older, checkpoint(older.id));
  await journal.prune(DAY_MS);
  expect(await journal.read(older)).toMatchObject({ taskId: older.id });
  // Another worker's first prune does.
  await s3Journal({ prefix: pruningPrefix }).prune(DAY_MS);
  expect(await journal.read(older)).toBeUndefined();
});

test('S3 unreachable: a write or read gives up after its bounded tries', async () => {
  const broken = unreachableS3();
  try {
    const journal = s3Journal({ client: broken, tries: 3, tryTimeoutMs: 500 });
    const startedAt = Date.now();
    await expect(journal.write(newKey(), checkpoint('task-c'))).rejects.toBeDefined();
    await expect(journal.read(newKey())).rejects.toBeDefined();
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  } finally {
    broken.destroy();
  }
});

describe('the ledger over disk and S3 journals', () => {
  test('a retry on another replica (its own disk, the same S3) adopts the task; the first attempt reads no journal', async () => {
    const replicaA = new SubmissionLedger<Checkpoint>([new DiskSubmissionJournal(tempDir(), journalledSubmissionSchema), s3Journal()]);
    const replicaB = new SubmissionLedger<Checkpoint>([new DiskSubmissionJournal(tempDir(), journalledSubmissionSchema), s3Journal()]);
    const key = newKey(Date.now(), 1);
    let posts = 0;
    await replicaA.record(key, () => Promise.resolve({ ...checkpoint('task-d'), polls: ++posts - 1 }));
    expect(await replicaB.find({ ...key, attempt: 1 })).toBeUndefined();
    expect(await replicaB.find({ ...key, attempt: 2 })).toEqual(checkpoint('task-d'));
    expect(posts).toBe(1);
  });

  test('S3 unreachable: the POST still resolves (disk journal written, error reported), and a retry on the same disk adopts', async () => {
    const broken = unreachableS3();
    try {
      const dir = tempDir();
      const errors: string[] = [];
      const brokenJournal = s3Journal({ client: broken, tryTimeoutMs: 300 });
      await brokenJournal.prune(DAY_MS).catch(() => undefined); // the ledger's own prune is then a no-op: only the write can report
      const ledger = new SubmissionLedger<Checkpoint>(
        [new DiskSubmissionJournal(dir, journalledSubmissionSchema), brokenJournal],
        (_error, journal) => errors.push(journal),
      );
      const key = newKey(Date.now(), 1);
      await expect(ledger.record(key, () => Promise.resolve(checkpoint('task-e')))).resolves.toEqual(checkpoint('task-e'));
      expect(errors).toEqual(['s3']);
      const restarted = new SubmissionLedger<Checkpoint>([
        new DiskSubmissionJournal(dir, journalledSubmissionSchema),
        s3Journal({ client: broken }),
      ]);
      expect(await restarted.find({ ...key, attempt: 2 })).toEqual(checkpoint('task-e'));
    } finally {
      broken.destroy();
    }
  });

  test('S3 unreachable and the task not on this disk: the retry fails retryably instead of risking a second POST', async () => {
    const broken = unreachableS3();
    try {
      const ledger = new SubmissionLedger<Checkpoint>([
        new DiskSubmissionJournal(tempDir(), journalledSubmissionSchema),
        s3Journal({ client: broken, tryTimeoutMs: 300 }),
      ]);
      await expect(ledger.find(newKey(Date.now(), 2))).rejects.toMatchObject({
        type: FailureType.SubmissionJournalUnavailable,
        nonRetryable: false,
      });
      // A first attempt has nothing to look up: S3's outage does not hold up new work.
      await expect(ledger.find(newKey(Date.now(), 1))).resolves.toBeUndefined();
    } finally {
      broken.destroy();
    }
  });
});

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'journal-unit-'));
}
