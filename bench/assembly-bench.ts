import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAssembleExplainer } from '../activities/assemble-explainer';
import { createMeasureVoiceover } from '../activities/measure-voiceover';
import { createPackageExplainer } from '../activities/package-explainer';
import { chunkTimings, concatArgs, concatList, muxArgs } from '../activities/assembly-media';
import { loadExplainerFile } from '../client/explainer/explainer-file';
import { draftExplainerPlan } from '../client/explainer/plan';
import { ffmpegPath } from '../infra/ffmpeg';
import type { AssembledExplainer, AssemblyChunk, VoiceoverLoudness } from '../schemas/assembly';
import { outputFrame } from '../simulator/contract';
import { MediaLibrary } from '../simulator/media';
import { speechSeconds } from '../simulator/speech';
import type { BenchStack } from './bench-stack';
import { spread, type Spread } from './stats';

const run = promisify(execFile);
const EXAMPLE = path.resolve(__dirname, '../examples/explainer/why-the-sky-is-blue.yaml');
/** The activity's wall time over the bare commands' must stay at or under this. */
export const ASSEMBLY_TARGET_RATIO = 1.3;

export interface AssemblyBench {
  example: string;
  chunks: number;
  videoSeconds: number;
  /** The assembly activity, end to end: download, probe, concat, mux (loudness applied), verify, upload; seconds. */
  activity: Spread;
  /** `ffmpeg` concat + mux of the same files already on local disk; seconds. */
  bare: Spread;
  /** activity / bare per round (the rounds interleave the two, so load drifts hit both alike). */
  ratio: Spread;
  target: number;
  /** Where the activity's time goes: seconds per phase (as its heartbeats name them), median over the rounds. */
  phases: Record<string, number>;
  /** The SCORM package activity the explainer runs after the assembly, on its result; seconds. */
  packaging?: Spread;
  /**
   * The loudness measure the explainer runs on each voiceover once it is archived, while its clips are still
   * being made (so not on the assembly's path); seconds per voiceover.
   */
  measuring?: Spread;
}

/**
 * The shipped example's assembly: its plan's clips and voiceovers made as the simulator makes them (real
 * H.264 MP4s of the clip's frame and length, MP3s as long as the text takes to say), put in S3, then per
 * round the assembly activity (in a MockActivityEnvironment, as the worker runs it) and the bare ffmpeg
 * commands a person would type for the same join, in alternating order.
 */
export async function runAssemblyBench(
  bench: Pick<BenchStack, 'bucket' | 'newS3Client'>,
  options: { rounds: number; log: (line: string) => void },
): Promise<AssemblyBench> {
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-assembly-'));
  const s3 = bench.newS3Client();
  try {
    const { explainer, baseDir } = await loadExplainerFile(EXAMPLE);
    const plan = await draftExplainerPlan(explainer, baseDir);
    const media = new MediaLibrary(path.join(workDir, 'media'));
    const frame = outputFrame(plan.ratio);
    const prefix = `bench-assembly-${Date.now()}/`;
    const local: Array<{ clip: string; voice: string; seconds: number }> = [];
    const chunks: AssemblyChunk[] = [];
    for (const chunk of plan.chunks) {
      const clip = await media.variant({ ...frame, durationSeconds: chunk.duration });
      const voice = await media.speech(speechSeconds(chunk.text));
      chunks.push({
        clip: await put(s3, bench.bucket, `${prefix}inputs/${chunk.chunkId}-clip.mp4`, clip.basePath, clip.sha256),
        voiceover: await put(s3, bench.bucket, `${prefix}inputs/${chunk.chunkId}-voice.mp3`, voice.basePath, voice.sha256),
        text: chunk.text,
      });
      local.push({ clip: clip.basePath, voice: voice.basePath, seconds: chunk.duration });
    }
    // As the explainer measures each voiceover once it is archived: the assembly is handed their loudness.
    const measureVoiceover = createMeasureVoiceover({ s3 }, { tempRoot: path.join(workDir, 'measure') });
    const measuring: number[] = [];
    for (const chunk of chunks) {
      const started = performance.now();
      const loudness = (await new MockActivityEnvironment().run(measureVoiceover, { voiceover: chunk.voiceover })) as VoiceoverLoudness;
      measuring.push((performance.now() - started) / 1000);
      chunk.voiceover = { ...chunk.voiceover, loudness };
    }
    const assemble = createAssembleExplainer({ s3 }, { tempRoot: path.join(workDir, 'activity') });
    const packageExplainer = createPackageExplainer({ s3 }, { tempRoot: path.join(workDir, 'package') });
    const activity: number[] = [];
    const packaging: number[] = [];
    const phaseRuns: Array<Record<string, number>> = [];
    const bare: number[] = [];
    const timeActivity = async (round: number) => {
      const env = new MockActivityEnvironment();
      const phases: Record<string, number> = {};
      let current: { phase: string; at: number } | undefined;
      const enter = (phase: string) => {
        const now = performance.now();
        if (current) phases[current.phase] = (phases[current.phase] ?? 0) + (now - current.at) / 1000;
        current = { phase, at: now };
      };
      env.on('heartbeat', (details: { phase?: string } | undefined) => {
        if (details?.phase && details.phase !== current?.phase) enter(details.phase);
      });
      const started = performance.now();
      // As the explainer workflow runs it: the SCORM package is the next activity's.
      const assembled = (await env.run(assemble, {
        explainerId: `bench-r${round}`,
        chunks,
        output: { bucket: bench.bucket, prefix },
        scorm: false,
      })) as AssembledExplainer;
      enter('end');
      activity.push((performance.now() - started) / 1000);
      phaseRuns.push(phases);
      const packagingStarted = performance.now();
      await new MockActivityEnvironment().run(packageExplainer, {
        explainerId: `bench-r${round}`,
        output: { bucket: bench.bucket, prefix },
        mp4: assembled.mp4,
        cues: assembled.timings.map((timing, index) => ({ ...timing, text: chunks[index]!.text })),
      });
      packaging.push((performance.now() - packagingStarted) / 1000);
    };
    const timeBare = async (round: number) => {
      const dir = path.join(workDir, `bare-${round}`);
      await fs.mkdir(dir);
      const started = performance.now();
      await bareAssembly(local, dir);
      bare.push((performance.now() - started) / 1000);
    };
    // One untimed pass of each warms the page cache, ffmpeg's libraries and the activity's code paths alike.
    await timeBare(0);
    await timeActivity(0);
    bare.length = 0;
    activity.length = 0;
    phaseRuns.length = 0;
    packaging.length = 0;
    for (let round = 1; round <= options.rounds; round++) {
      if (round % 2 === 1) {
        await timeActivity(round);
        await timeBare(round);
      } else {
        await timeBare(round);
        await timeActivity(round);
      }
      options.log(
        `bench: assembly round ${round}: activity ${activity.at(-1)!.toFixed(3)} s, bare ffmpeg ${bare.at(-1)!.toFixed(3)} s, ratio ${(activity.at(-1)! / bare.at(-1)!).toFixed(3)}`,
      );
    }
    return {
      example: path.relative(process.cwd(), EXAMPLE),
      chunks: chunks.length,
      videoSeconds: local.reduce((sum, chunk) => sum + chunk.seconds, 0),
      activity: spread(activity, 3),
      bare: spread(bare, 3),
      ratio: spread(
        activity.map((seconds, index) => seconds / bare[index]!),
        3,
      ),
      target: ASSEMBLY_TARGET_RATIO,
      packaging: spread(packaging, 3),
      measuring: spread(measuring, 3),
      phases: Object.fromEntries(
        Object.keys(phaseRuns[0] ?? {}).map((phase) => [
          phase,
          spread(
            phaseRuns.map((run) => run[phase] ?? 0),
            3,
          ).median,
        ]),
      ),
    };
  } finally {
    s3.destroy();
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

/** What a person runs by hand: the concat demuxer (copy), then one mux laying each voiceover at its chunk's start. */
async function bareAssembly(chunks: Array<{ clip: string; voice: string; seconds: number }>, dir: string): Promise<void> {
  const ffmpeg = ffmpegPath();
  const list = path.join(dir, 'clips.ffconcat');
  await fs.writeFile(list, concatList(chunks.map((chunk) => ({ path: chunk.clip, seconds: chunk.seconds }))));
  const joined = path.join(dir, 'joined.mp4');
  await run(ffmpeg, concatArgs(list, joined));
  const timings = chunkTimings(chunks.map((chunk) => chunk.seconds));
  await run(
    ffmpeg,
    muxArgs({
      video: joined,
      voiceovers: chunks.map((chunk, index) => ({ path: chunk.voice, startMs: timings[index]!.startMs })),
      totalSeconds: chunks.reduce((sum, chunk) => sum + chunk.seconds, 0),
      output: path.join(dir, 'explainer.mp4'),
    }),
  );
}

async function put(s3: S3Client, bucket: string, key: string, file: string, sha256: string): Promise<AssemblyChunk['clip']> {
  const body = await fs.readFile(file);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  // With its size, as the explainer's archived outputs carry it.
  return { bucket, key, sha256, bytes: body.length };
}
