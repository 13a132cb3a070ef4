import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { measureVoiceoverInputSchema, type MeasureVoiceoverInput, type VoiceoverLoudness } from '../schemas/assembly';
import type { ActivityDeps } from './deps';
import { parseDeliveryInput } from './assembly-input';
import { extensionOf, voiceoverLoudnessArgs } from './assembly-media';
import { assemblyFailed, download, objectSize } from './assembly-storage';
import { parseVoiceoverLoudness } from './delivery/loudness';
import { mediaTools, toolRunner } from './media-tool-run';

export interface MeasureOptions {
  /** Parent of the per-attempt temp dirs; default `<os tmpdir>/runway-temporal-measure`. */
  tempRoot?: string;
  /** Where FFMPEG_PATH / PATH are read (the worker's environment by default). */
  env?: NodeJS.ProcessEnv;
  toolTimeoutMs?: number;
  heartbeatEveryMs?: number;
}

/**
 * A voiceover's loudness (EBU R128 gating blocks and sample peak), measured as soon as it is archived,
 * while the explainer's clips are still being made: the assembly then mixes at the right level without a
 * pass over all the narration of its own. The voiceover is read back from S3 and checked against its
 * sha256, so the measurement is of the bytes the assembly will cut in.
 */
export function createMeasureVoiceover(deps: Pick<ActivityDeps, 's3'>, options: MeasureOptions = {}) {
  return async function measureVoiceover(raw: MeasureVoiceoverInput): Promise<VoiceoverLoudness> {
    const { voiceover } = parseDeliveryInput(measureVoiceoverInputSchema, raw, 'voiceover measure');
    const { ffmpeg } = mediaTools(options.env);
    const context = Context.current();
    // The assembly's activity options: a lost attempt is noticed by its missing heartbeat and retried.
    const beat = setInterval(() => context.heartbeat({ phase: 'measure' }), options.heartbeatEveryMs ?? 2_000);
    context.heartbeat({ phase: 'measure' });
    const tempRoot = options.tempRoot ?? path.join(os.tmpdir(), 'runway-temporal-measure');
    let dir: string | undefined;
    try {
      await fs.mkdir(tempRoot, { recursive: true });
      dir = await fs.mkdtemp(path.join(tempRoot, 'voiceover-'));
      const file = path.join(dir, `voiceover${extensionOf(voiceover.key)}`);
      const size = voiceover.bytes ?? (await objectSize(deps.s3, voiceover));
      await download(deps.s3, voiceover, size, file, context.cancellationSignal);
      const run = toolRunner(context.cancellationSignal, options.toolTimeoutMs ?? 10 * 60_000);
      const { stderr } = await run(ffmpeg, voiceoverLoudnessArgs(file));
      const loudness = parseVoiceoverLoudness(stderr);
      log.info('measured voiceover', { key: voiceover.key, blocks: loudness.blocks.length, samplePeakDbfs: loudness.samplePeakDbfs });
      return loudness;
    } catch (error) {
      if (error instanceof ApplicationFailure || context.cancellationSignal.aborted) throw error;
      throw assemblyFailed(`measuring s3://${voiceover.bucket}/${voiceover.key}: ${(error as Error).message}`);
    } finally {
      clearInterval(beat);
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    }
  };
}
