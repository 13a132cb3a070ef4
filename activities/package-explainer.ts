import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { packageExplainerInputSchema, type PackageExplainerInput, type ScormPackageRecord } from '../schemas/assembly';
import { explainerObjectKeys } from '../schemas/object-keys';
import type { ActivityDeps } from './deps';
import { parseDeliveryInput } from './assembly-input';
import { webVtt } from './assembly-media';
import { assemblyFailed, download, head, putPackage } from './assembly-storage';
import { writeScormPackage } from './delivery/scorm-package';

export interface PackageOptions {
  /** Parent of the per-attempt temp dirs; default `<os tmpdir>/runway-temporal-package`. */
  tempRoot?: string;
  heartbeatEveryMs?: number;
}

/**
 * The assembled explainer as a SCORM 1.2 package next to its MP4: the MP4 read back from S3 and checked
 * against its sha256, the captions written from the same cues as the sidecar, the zip uploaded with its
 * sha256. Its own activity, after the assembly: the join is not held up by a second upload of the video,
 * and a package that fails is retried without joining again. Idempotent: a package of the same MP4 that
 * is already there is returned; one of another MP4 is never overwritten.
 */
export function createPackageExplainer(deps: Pick<ActivityDeps, 's3'>, options: PackageOptions = {}) {
  return async function packageExplainer(raw: PackageExplainerInput): Promise<ScormPackageRecord> {
    const input = parseDeliveryInput(packageExplainerInputSchema, raw, 'package');
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat({ phase: 'package' }), options.heartbeatEveryMs ?? 2_000);
    const { bucket } = input.output;
    const { packageKey } = explainerObjectKeys(input.output.prefix, input.explainerId);
    // The package is known by the MP4 it holds: a retry, or a re-run on the same assembly, finds it.
    const inputsSha256 = input.mp4.sha256;
    try {
      context.heartbeat({ phase: 'package' });
      const existing = await head(deps.s3, bucket, packageKey);
      if (existing?.Metadata?.['inputs-sha256'] === inputsSha256 && existing.Metadata.sha256) {
        log.info('explainer was packaged by an earlier attempt', { key: packageKey });
        return { bucket, key: packageKey, bytes: existing.ContentLength ?? 0, sha256: existing.Metadata.sha256, format: 'scorm-1.2' };
      }
      const tempRoot = options.tempRoot ?? path.join(os.tmpdir(), 'runway-temporal-package');
      await fs.mkdir(tempRoot, { recursive: true });
      const dir = await fs.mkdtemp(path.join(tempRoot, `${input.explainerId}-`));
      try {
        const mp4Path = path.join(dir, 'explainer.mp4');
        await download(deps.s3, input.mp4, input.mp4.bytes, mp4Path, context.cancellationSignal);
        const packagePath = path.join(dir, 'explainer.zip');
        const written = await writeScormPackage(
          {
            explainerId: input.explainerId,
            title: input.title ?? input.explainerId,
            language: input.language,
            mp4Path,
            vtt: webVtt(input.cues),
            cues: input.cues,
          },
          packagePath,
        );
        const stored = await putPackage(
          deps.s3,
          context,
          { quietly: () => undefined },
          { bucket, key: packageKey, file: packagePath, inputsSha256, written },
        );
        log.info('packaged explainer', { key: packageKey, bytes: stored.bytes });
        return stored;
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    } catch (error) {
      if (error instanceof ApplicationFailure || context.cancellationSignal.aborted) throw error;
      throw assemblyFailed(`packaging ${input.explainerId}: ${(error as Error).message}`);
    } finally {
      clearInterval(beat);
    }
  };
}
