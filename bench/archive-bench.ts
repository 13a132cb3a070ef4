import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Agent } from 'undici';
import { createArchive, type ArchiveInput } from '../activities/archive';
import { noopMetrics } from '../activities/metrics';
import { RunwayClient } from '../activities/runway/client';
import type { ArchivedObject } from '../schemas';
import { BENCH_SEED, CAP, DURATION, MODEL, RATIO } from './bench-config';
import type { BenchStack } from './bench-stack';
import { measureCall, type MeasuredCall } from './measured-call';
import { pipeUrlToS3 } from './raw-s3-pipe';
import { round } from './resource-sampler';

const MB = 1024 * 1024;
const SIZES = [
  // Pairs run back to back on a shared, CPU-bound box: the ratio's median needs many of them to settle.
  { label: '10 MB', bytes: 10 * MB, repeats: 15 },
  { label: '100 MB', bytes: 100 * MB, repeats: 15 },
  { label: '1 GB', bytes: 1024 * MB, repeats: 5 },
];

export interface ArchiveSide {
  /** Median over the repeats. */
  seconds: number;
  mbPerSec: number;
  /** Worst peak RSS increase over the repeats, MB. */
  rssIncreaseMb: number;
  runs: Array<{ seconds: number; rssIncreaseMb: number }>;
}

export interface ArchiveCase {
  label: string;
  bytes: number;
  archive: ArchiveSide;
  raw: ArchiveSide;
  /**
   * Archive activity throughput over the raw pipe's: the median of the back-to-back pairs' ratios, so
   * load that drifts over the run (a shared 2-core machine) hits both sides of each pair alike.
   */
  throughputRatio: number;
}

const silent = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * The archive activity (called directly in a MockActivityEnvironment) against a bare
 * undici → lib-storage pipe, on padded outputs of 10 MB, 100 MB and 1 GB. Both fetch a fresh signed URL
 * first; the activity also hashes every byte (on its sha256 thread) and checks the length.
 *
 * The two sides share no S3 client and no connection pool, so neither inherits the other's warm sockets.
 */
export async function runArchiveBench(bench: BenchStack, options: { quick: boolean; log: (line: string) => void }): Promise<ArchiveCase[]> {
  const runway = new RunwayClient({ baseUrl: bench.runwayBaseUrl, apiSecret: bench.runwayApiSecret, requestTimeoutMs: 60_000 });
  const s3 = bench.newS3Client();
  const activityS3 = bench.newS3Client();
  const rawDownloads = new Agent();
  const archiveGeneration = createArchive({ runway, s3: activityS3, metrics: noopMetrics, downloadTimeoutMs: 10 * 60_000 });
  const cases: ArchiveCase[] = [];
  // Deleted only once everything is measured: the S3 server reclaims a deleted object's space in the background, and
  // reclaiming the last pair's gigabyte would take CPU from the next pair.
  const written: string[] = [];
  try {
    for (const size of SIZES.filter((candidate) => !options.quick || candidate.bytes < 1024 * MB)) {
      options.log(`bench: archive ${size.label} (${size.repeats} run${size.repeats > 1 ? 's' : ''} each)`);
      const taskId = await succeededTask(bench, runway, size.bytes, size.label);
      written.push(...(await warmUp(s3, runway, bench.bucket, taskId, rawDownloads, archiveGeneration, size.bytes)));
      const archiveRuns: MeasuredCall<unknown>[] = [];
      const rawRuns: MeasuredCall<unknown>[] = [];
      for (let repeat = 0; repeat < size.repeats; repeat++) {
        const key = `bench-archive/raw/${size.bytes}-${repeat}.mp4`;
        const input = archiveInput(bench.bucket, taskId, `${size.bytes}-${repeat}`);
        const raw = () =>
          measureCall(async () =>
            pipeUrlToS3(s3, { url: await outputUrl(runway, taskId), bucket: bench.bucket, key, dispatcher: rawDownloads }),
          );
        const activity = () => measureCall(() => new MockActivityEnvironment(undefined, { logger: silent }).run(archiveGeneration, input));
        // Alternate which goes first, so neither always meets a warm page cache.
        if (repeat % 2 === 0) {
          rawRuns.push(await raw());
          archiveRuns.push(await activity());
        } else {
          archiveRuns.push(await activity());
          rawRuns.push(await raw());
        }
        written.push(key, (archiveRuns[archiveRuns.length - 1]!.value as ArchivedObject).key);
      }
      const archive = side(archiveRuns, size.bytes);
      const raw = side(rawRuns, size.bytes);
      cases.push({
        label: size.label,
        bytes: size.bytes,
        archive,
        raw,
        throughputRatio: round(median(rawRuns.map((rawRun, index) => rawRun.seconds / archiveRuns[index]!.seconds)), 3),
      });
    }
  } finally {
    for (const key of written) await deleteObject(s3, bench.bucket, key);
    s3.destroy();
    activityS3.destroy();
    await rawDownloads.close();
    await runway.close();
  }
  return cases;
}

/** One unmeasured run of each side per size: JIT, connection pools and the page cache start warm for both. */
async function warmUp(
  s3: S3Client,
  runway: RunwayClient,
  bucket: string,
  taskId: string,
  dispatcher: Agent,
  archiveGeneration: ReturnType<typeof createArchive>,
  bytes: number,
): Promise<string[]> {
  const rawKey = `bench-archive/raw/${bytes}-warm-up.mp4`;
  await pipeUrlToS3(s3, { url: await outputUrl(runway, taskId), bucket, key: rawKey, dispatcher });
  const archived = (await new MockActivityEnvironment(undefined, { logger: silent }).run(
    archiveGeneration,
    archiveInput(bucket, taskId, `${bytes}-warm-up`),
  )) as ArchivedObject;
  return [rawKey, archived.key];
}

/** One finished Runway task whose output is padded to `bytes` (the simulator hashes a new size once). */
async function succeededTask(bench: BenchStack, runway: RunwayClient, bytes: number, label: string): Promise<string> {
  await bench.sim.reset({
    timeScale: 60,
    seed: BENCH_SEED,
    concurrency: CAP,
    pendingSeconds: 2,
    generationSeconds: { kind: 'fixed', seconds: 30 },
    outputBytes: bytes,
  });
  const { id } = await runway.createTask('text_to_video', {
    model: MODEL,
    promptText: `Archive benchmark, ${label}`,
    ratio: RATIO,
    duration: DURATION,
  });
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const task = await runway.getTask(id);
    if (task.status === 'SUCCEEDED') return id;
    if (task.status === 'FAILED' || task.status === 'CANCELLED') throw new Error(`archive benchmark task ${id} ended ${task.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`archive benchmark task ${id} did not finish in 10 minutes`);
}

async function outputUrl(runway: RunwayClient, taskId: string): Promise<string> {
  const task = await runway.getTask(taskId);
  if (task.status !== 'SUCCEEDED' || !task.output[0]) throw new Error(`task ${taskId} has no output`);
  return task.output[0];
}

function archiveInput(bucket: string, runwayTaskId: string, variantId: string): ArchiveInput {
  return {
    generationId: `bench-archive--${variantId}`,
    workloadId: 'bench-archive',
    generationKey: variantId,
    runwayTaskId,
    model: MODEL,
    credits: 0,
    bucket,
    prefix: 'bench-archive/activity/',
  };
}

function side(runs: MeasuredCall<unknown>[], bytes: number): ArchiveSide {
  const seconds = median(runs.map((run) => run.seconds));
  return {
    seconds,
    mbPerSec: round(bytes / MB / seconds, 1),
    rssIncreaseMb: Math.max(...runs.map((run) => run.rssIncreaseMb)),
    runs: runs.map((run) => ({ seconds: run.seconds, rssIncreaseMb: run.rssIncreaseMb })),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
