import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context, log } from '@temporalio/activity';
import { assembleExplainerInputSchema, type AssembledExplainer, type AssembleExplainerInput } from '../schemas/assembly';
import { explainerObjectKeys } from '../schemas/object-keys';
import type { ActivityDeps } from './deps';
import { parseDeliveryInput } from './assembly-input';
import {
  ASSEMBLY_RECIPE_VERSION,
  assembledProblems,
  canConcatByCopy,
  chunkTimings,
  concatList,
  extensionOf,
  isFaststart,
  loudnessMeasureArgsGraphFromStdin,
  loudnessMeasureGraph,
  muxArgsGraphFromStdin,
  muxGraph,
  normalizeClipArgs,
  topLevelBoxes,
  videoTarget,
  webVtt,
} from './assembly-media';
import { assemblyFailed, download, existingAssembly, objectSize, putPackage, putSubtitles, stageUpload } from './assembly-storage';
import { ClipProbeError, probeClip, probeStreams, type ClipProbe } from './clip-probe';
import { writeScormPackage } from './delivery/scorm-package';
import { narrationLoudness, parseLoudnessReport } from './delivery/loudness';
import { mediaTools, startWarm, toolRunner } from './media-tool-run';

export interface AssemblyOptions {
  /** Parent of the per-attempt temp dirs; default `<os tmpdir>/runway-temporal-assembly`. */
  tempRoot?: string;
  /** The most temp space one assembly may need (inputs, joined video, result); larger inputs are refused. */
  maxTempBytes?: number;
  /** Upper bound of one ffmpeg run, so a wedged encoder cannot hold the attempt forever. */
  toolTimeoutMs?: number;
  /** Where FFMPEG_PATH / PATH are read (the worker's environment by default). */
  env?: NodeJS.ProcessEnv;
  heartbeatEveryMs?: number;
}

const DEFAULT_MAX_TEMP_BYTES = 8 * 1024 ** 3;
/** Inputs, the joined video and the result each hold about the inputs' size; the rest is slack for the container. */
const TEMP_SPACE_FACTOR = 3;
const TEMP_SPACE_SLACK = 64 * 1024 * 1024;
/** Clips fetched at once: enough to hide S3's latency, few enough not to flood the worker's connection pool. */
const DOWNLOADS_AT_ONCE = 4;
/** Voiceovers fetched at once: they are small, and the loudness pass waits for the last of them. */
const VOICEOVERS_AT_ONCE = 8;

type Phase = 'check' | 'download' | 'probe' | 'concat' | 'mux' | 'verify' | 'upload';

/**
 * Joins the chunks' clips, lays each voiceover at its chunk's start, writes the WebVTT sidecar and uploads
 * one checked MP4. Idempotent: the MP4 is the commit point, recorded with the sha256 of its inputs; an
 * attempt that finds it returns it, one that finds other content there refuses to overwrite it.
 */
export function createAssembleExplainer(deps: Pick<ActivityDeps, 's3'>, options: AssemblyOptions = {}) {
  return async function assembleExplainer(raw: AssembleExplainerInput): Promise<AssembledExplainer> {
    const input = parseDeliveryInput(assembleExplainerInputSchema, raw, 'assembly');
    const tools = mediaTools(options.env);
    const context = Context.current();
    const progress = new Progress(context, options.heartbeatEveryMs ?? 2_000);
    const keys = explainerObjectKeys(input.output.prefix, input.explainerId);
    const { mp4Key, vttKey, packageKey } = keys;
    const bucket = input.output.bucket;
    const inputsSha256 = createHash('sha256')
      .update(
        JSON.stringify({
          recipe: ASSEMBLY_RECIPE_VERSION,
          chunks: input.chunks,
          burnSubtitles: input.burnSubtitles,
          title: input.title,
          language: input.language,
        }),
      )
      .digest('hex');
    try {
      progress.phase('check');
      // The inputs' sizes (asked for where not recorded) while the earlier assembly is looked for: one round trip.
      const sizing = Promise.all(
        input.chunks
          .flatMap((chunk) => [chunk.clip, chunk.voiceover])
          .map((object) => (object.bytes !== undefined ? object.bytes : objectSize(deps.s3, object))),
      );
      void sizing.catch(() => undefined);
      // An earlier attempt's result is returned once the clips have told the chunks' timings (a rare path:
      // the attempt that committed it was lost before it could report); it is looked for while they download.
      const looking = existingAssembly(deps.s3, bucket, keys, inputsSha256, input.scorm);
      void looking.catch(() => undefined);
      const sizes = await sizing;
      const tempRoot = options.tempRoot ?? path.join(os.tmpdir(), 'runway-temporal-assembly');
      const needed = sizes.reduce((sum, size) => sum + size, 0) * TEMP_SPACE_FACTOR + TEMP_SPACE_SLACK;
      await ensureTempSpace(tempRoot, needed, options.maxTempBytes ?? DEFAULT_MAX_TEMP_BYTES);
      const dir = await fs.mkdtemp(path.join(tempRoot, `${input.explainerId}-`));
      try {
        const timeoutMs = options.toolTimeoutMs ?? 30 * 60_000;
        const run = toolRunner(context.cancellationSignal, timeoutMs);
        const outPath = path.join(dir, 'explainer.mp4');
        const listPath = path.join(dir, 'clips.ffconcat');
        const vttPath = path.join(dir, 'subtitles.vtt');
        const local = input.chunks.map((chunk, index) => ({
          clip: path.join(dir, `clip-${index}.mp4`),
          voiceover: path.join(dir, `voice-${index}${extensionOf(chunk.voiceover.key)}`),
        }));
        // The voiceovers' loudness measured when they were archived: the narration's is computed from it.
        // Otherwise (a voiceover measured by none) a pass over all of them measures it here.
        const premeasured = input.chunks.every((chunk) => chunk.voiceover.loudness !== undefined);
        // The ffmpeg runs start now and wait for their filtergraphs: their start-up is paid while the inputs arrive.
        const measurer = premeasured
          ? undefined
          : startWarm(
              tools.ffmpeg,
              loudnessMeasureArgsGraphFromStdin(local.map(({ voiceover }) => voiceover)),
              context.cancellationSignal,
              timeoutMs,
            );
        const muxer = startWarm(
          tools.ffmpeg,
          muxArgsGraphFromStdin({
            video: listPath,
            videoFormat: 'concat',
            voiceovers: local.map(({ voiceover }) => voiceover),
            burnSubtitles: input.burnSubtitles,
            output: outPath,
          }),
          context.cancellationSignal,
          timeoutMs,
        );
        try {
          progress.phase('download', { done: 0, total: input.chunks.length });
          // The voiceovers, small, all come at once: a loudness pass reads only them, and runs while the clips
          // arrive, a few at a time. Each clip's index is read as soon as it is on disk, in its download's lane.
          const total = 2 * input.chunks.length;
          let downloaded = 0;
          const fetched = () => progress.phase('download', { done: ++downloaded, total });
          const voiceovers = inParallel(input.chunks, VOICEOVERS_AT_ONCE, async (chunk, index) => {
            await download(deps.s3, chunk.voiceover, sizes[2 * index + 1]!, local[index]!.voiceover, context.cancellationSignal);
            fetched();
          });
          const probes: Array<Promise<ClipProbe>> = [];
          const clips = inParallel(input.chunks, DOWNLOADS_AT_ONCE, async (chunk, index) => {
            await download(deps.s3, chunk.clip, sizes[2 * index]!, local[index]!.clip, context.cancellationSignal);
            probes[index] = probeClip(local[index]!.clip).catch((error: unknown) => {
              if (error instanceof ClipProbeError) throw assemblyFailed(`chunk ${index}'s clip: ${error.message}`, true);
              throw error;
            });
            void probes[index].catch(() => undefined);
            fetched();
          });
          // Both pools settle before a failure is reported: nothing still writes into the dir removed below.
          const downloading = Promise.allSettled([voiceovers, clips]).then((settled) => {
            const failed = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
            if (failed) throw failed.reason;
          });
          const measuring = measurer
            ? voiceovers.then(async () => parseLoudnessReport((await measurer.run(loudnessMeasureGraph(local.length))).stderr))
            : Promise.resolve(narrationLoudness(input.chunks.map((chunk) => chunk.voiceover.loudness!)));
          void measuring.catch(() => undefined);
          await downloading;

          progress.phase('probe');
          const clipProbes = await Promise.all(probes);
          const seconds = clipProbes.map((probe) => probe.seconds);
          const expectedSeconds = seconds.reduce((sum, value) => sum + value, 0);
          const timings = chunkTimings(seconds);
          const existing = await looking;
          if (existing) {
            log.info('explainer was assembled by an earlier attempt', { key: mp4Key });
            return { ...existing, timings };
          }

          progress.phase('concat');
          let parts = local.map(({ clip }) => clip);
          const copied = canConcatByCopy(clipProbes);
          if (!copied) {
            // Clips that differ are all brought to one recipe, so the joined stream has one set of parameters.
            const target = videoTarget(clipProbes[0]!);
            const normalized: string[] = [];
            for (const [index, clip] of parts.entries()) {
              const output = path.join(dir, `norm-${index}.mp4`);
              await run(tools.ffmpeg, normalizeClipArgs(clip, target, seconds[index]!, output));
              normalized.push(output);
              progress.phase('concat', { reencoded: index + 1, total: parts.length });
            }
            parts = normalized;
          }
          // The mux reads the clips through the concat demuxer: joined as they are read, no joined file between.
          await fs.writeFile(listPath, concatList(parts.map((part, index) => ({ path: part, seconds: seconds[index]! }))));
          const loudness = await measuring;

          progress.phase('mux');
          const vtt = webVtt(input.chunks.map((chunk, index) => ({ ...timings[index]!, text: chunk.text })));
          await fs.writeFile(vttPath, vtt);
          await muxer.run(
            muxGraph({
              voiceovers: local.map(({ voiceover }, index) => ({ path: voiceover, startMs: timings[index]!.startMs })),
              totalSeconds: expectedSeconds,
              ...(loudness ? { loudness } : {}),
              ...(input.burnSubtitles ? { burnSubtitlesFrom: vttPath } : {}),
            }),
          );

          progress.phase('verify');
          // The check reads only the MP4's index; its hash (and, when asked for here, the package, which copies
          // it) are made meanwhile, and used only once the check has passed.
          const outBytes = (await fs.stat(outPath)).size;
          const packagePath = path.join(dir, 'explainer.zip');
          const packaging = input.scorm
            ? writeScormPackage(
                {
                  explainerId: input.explainerId,
                  title: input.title ?? input.explainerId,
                  language: input.language,
                  mp4Path: outPath,
                  vtt,
                  cues: input.chunks.map((chunk, index) => ({ ...timings[index]!, text: chunk.text })),
                },
                packagePath,
              )
            : undefined;
          void packaging?.catch(() => undefined);
          const [resultProbe, boxes, sha256] = await Promise.all([
            probeStreams(outPath),
            fileBoxes(outPath, outBytes),
            fileSha256(outPath),
          ]);
          const problems = assembledProblems(resultProbe, expectedSeconds);
          if (!isFaststart(boxes)) problems.push('moov does not come before mdat (not faststart)');
          if (problems.length > 0) throw assemblyFailed(`the assembled MP4 failed its check: ${problems.join('; ')}`, true);
          const durationSeconds = Number(resultProbe.format.duration);

          progress.phase('upload', { bytes: 0, total: outBytes });
          // Everything goes up at once: the MP4's parts, the sidecar (and the package when asked for here), while
          // a concurrent attempt (this one's heartbeat had timed out) is looked for. The MP4 is committed last:
          // an assembly that exists always has its sidecar.
          const staging = stageUpload(deps.s3, context, progress, {
            bucket,
            key: mp4Key,
            contentType: 'video/mp4',
            file: outPath,
            bytes: outBytes,
            sha256,
            metadata: {
              sha256,
              'inputs-sha256': inputsSha256,
              'duration-seconds': String(durationSeconds),
              chunks: String(input.chunks.length),
            },
          });
          const rest = Promise.all([
            putSubtitles(deps.s3, bucket, vttKey, vtt, inputsSha256),
            existingAssembly(deps.s3, bucket, keys, inputsSha256, input.scorm),
            packaging?.then((written) =>
              putPackage(deps.s3, context, progress, { bucket, key: packageKey, file: packagePath, inputsSha256, written }),
            ),
          ]);
          const [staged, others] = await Promise.allSettled([staging, rest]);
          const signal = context.cancellationSignal;
          if (staged.status === 'rejected' || others.status === 'rejected' || signal.aborted) {
            if (staged.status === 'fulfilled') await staged.value.abort().catch(() => undefined);
            if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
            throw staged.status === 'rejected' ? staged.reason : (others as PromiseRejectedResult).reason;
          }
          const [subtitles, raced, scorm] = others.value;
          if (raced) {
            await staged.value.abort();
            return { ...raced, timings };
          }
          const mp4 = await staged.value.commit();
          log.info('assembled explainer', { key: mp4Key, bytes: outBytes, durationSeconds, copied, loudness });
          return { mp4: { ...mp4, durationSeconds }, subtitles, timings, ...(scorm ? { package: scorm } : {}) };
        } finally {
          await Promise.all([measurer?.dispose(), muxer.dispose()]);
        }
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    } finally {
      progress.stop();
    }
  };
}

/** Heartbeats the current phase at once when it changes and on a timer while a long step runs. */
class Progress {
  private details: Record<string, unknown> = { phase: 'check' };
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly context: Context,
    everyMs: number,
  ) {
    this.timer = setInterval(() => this.context.heartbeat(this.details), everyMs);
  }

  phase(phase: Phase, extra: Record<string, unknown> = {}): void {
    this.details = { phase, ...extra };
    this.context.heartbeat(this.details);
  }

  quietly(extra: Record<string, unknown>): void {
    this.details = { ...this.details, ...extra };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function ensureTempSpace(tempRoot: string, needed: number, maxTempBytes: number): Promise<void> {
  if (needed > maxTempBytes) {
    throw assemblyFailed(`the inputs need about ${needed} bytes of temp space, more than the assembly's limit of ${maxTempBytes}`, true);
  }
  await fs.mkdir(tempRoot, { recursive: true });
  const stats = await fs.statfs(tempRoot);
  const free = stats.bavail * stats.bsize;
  // Another assembly may finish and free its space: retryable.
  if (free < needed) throw assemblyFailed(`${tempRoot} has ${free} bytes free, the assembly needs about ${needed}`);
}

async function fileBoxes(file: string, bytes: number): Promise<string[]> {
  const handle = await fs.open(file, 'r');
  try {
    return await topLevelBoxes(async (offset, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, Math.max(bytesRead, 8));
    }, bytes);
  } finally {
    await handle.close();
  }
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `work` for every item, at most `limit` at a time; the first failure rejects (the others still settle). */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  });
  const settled = await Promise.allSettled(lanes);
  const failed = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
  if (failed) throw failed.reason;
}
