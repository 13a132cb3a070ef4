import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { formatCmx3600 } from '../../infra/delivery/cmx3600';
import { formatDeliveryCsv } from '../../infra/delivery/edit-list-csv';
import { formatFcpXml } from '../../infra/delivery/fcp-xml';
import { mezzanineArgs, mezzanineFileName, type MezzanineKind } from '../../infra/delivery/mezzanine';
import { timelineEvents, type DeliveryEvent } from '../../infra/delivery/timeline';
import { ffmpegPath } from '../../infra/ffmpeg';
import { clipFileName, editListSegment, ratioSize, type BrollProgress, type EditListSegment } from '../../schemas';
import { InputError } from '../input-error';

export interface ExportOptions {
  /** The folder to write: created if missing; clips already there with the right sha256 are kept. */
  dir: string;
  /** The folder as the editing machine sees it (`/Volumes/Edit/saltmarsh`, `D:\\Edit\\saltmarsh`): every link points there. */
  mediaRoot?: string;
  /** ProRes 422 HQ or DNxHR HQ transcodes of the clips, beside them; the lists link those instead. */
  mezzanine?: MezzanineKind;
  fps: 24 | 25 | 30;
  log?: (line: string) => void;
}

export interface ExportedFolder {
  dir: string;
  clips: Array<{ segmentId: string; take: number; file: string; sha256: string; mezzanine?: string }>;
  xml: string;
  edl: string;
  csv: string;
  /** Segments without a selected take: gaps on the timeline. */
  missing: string[];
}

/**
 * A folder Premiere Pro or DaVinci Resolve opens as it is: each segment's selected take downloaded from S3
 * under its editor's name (`<projectId>-s01-t2.mp4`), its sha256 checked against the archive's before it
 * takes that name, optional mezzanine transcodes beside it, and the FCP 7 XML, CMX 3600 EDL and CSV of the
 * timeline with every clip linked to its file in the folder (or under `mediaRoot`).
 */
export async function exportProject(s3: S3Client, progress: BrollProgress, options: ExportOptions): Promise<ExportedFolder> {
  const log = options.log ?? (() => undefined);
  const dir = resolvePath(options.dir);
  const mediaRoot = options.mediaRoot ?? dir;
  const selected = progress.items.filter((item) => item.selectedTake !== undefined);
  if (selected.length === 0)
    throw new InputError(
      'projectId',
      `project ${progress.projectId} has no selected take yet: select a take of each segment first (broll select)`,
    );
  await mkdir(dir, { recursive: true });
  const segments: EditListSegment[] = [];
  const clips: ExportedFolder['clips'] = [];
  const ffmpeg = options.mezzanine ? ffmpegPath() : undefined;
  for (const item of progress.items) {
    const take = item.takes.find((candidate) => candidate.take === item.selectedTake);
    const output = take?.output;
    const name = take ? clipFileName(progress.projectId, item.segmentId, take.take) : undefined;
    if (take && output && name) {
      const file = join(dir, name);
      await download(s3, output.bucket, output.key, output.sha256, file, log);
      const clip: ExportedFolder['clips'][number] = { segmentId: item.segmentId, take: take.take, file, sha256: output.sha256 };
      if (options.mezzanine && ffmpeg) {
        const mezzanine = join(dir, mezzanineFileName(name, options.mezzanine));
        log(`transcoding ${name} → ${mezzanineFileName(name, options.mezzanine)}`);
        await run(ffmpeg, mezzanineArgs(file, mezzanine, options.mezzanine, options.fps));
        clip.mezzanine = mezzanine;
      }
      clips.push(clip);
    }
    segments.push(editListSegment(progress.projectId, item, take, 'approved'));
  }
  const events = timelineEvents(segments, options.fps);
  const linked = (event: DeliveryEvent) => (options.mezzanine ? mezzanineFileName(event.clip!.name, options.mezzanine) : event.clip!.name);
  const size = ratioSize(ratioOf(progress));
  const xml = join(dir, `${progress.projectId}.xml`);
  const edl = join(dir, `${progress.projectId}.edl`);
  const csv = join(dir, `${progress.projectId}.csv`);
  await writeFile(
    xml,
    formatFcpXml(events, {
      title: progress.projectId,
      fps: options.fps,
      width: size.width ?? 1280,
      height: size.height ?? 720,
      mediaRoot,
      mediaName: linked,
    }),
  );
  const edlEvents = options.mezzanine
    ? events.map((event) => (event.clip ? { ...event, clip: { ...event.clip, name: linked(event) } } : event))
    : events;
  await writeFile(edl, formatCmx3600(progress.projectId, edlEvents, options.fps, mediaRoot));
  await writeFile(csv, formatDeliveryCsv(events, options.fps));
  return { dir, clips, xml, edl, csv, missing: progress.items.filter((item) => !item.selectedTake).map((item) => item.segmentId) };
}

/** The project's ratio as its takes were asked for (every take of a project has the same). */
function ratioOf(progress: BrollProgress): string {
  return progress.ratio ?? '1280:720';
}

/** Downloads to a partial file while hashing; only a file whose sha256 is the archive's takes the clip's name. */
async function download(
  s3: S3Client,
  bucket: string,
  key: string,
  sha256: string,
  file: string,
  log: (line: string) => void,
): Promise<void> {
  if (await hasHash(file, sha256)) {
    log(`${file}: already here (sha256 checked)`);
    return;
  }
  const partial = `${file}.partial`;
  const hash = createHash('sha256');
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await pipeline(
    object.Body as Readable,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(partial),
  );
  const got = hash.digest('hex');
  if (got !== sha256) {
    await rm(partial, { force: true });
    throw new Error(`s3://${bucket}/${key} downloaded with sha256 ${got}, but the archive recorded ${sha256}: not exported`);
  }
  await rename(partial, file);
  log(`${file}: downloaded, sha256 ${sha256.slice(0, 12)}… checked`);
}

async function hasHash(file: string, sha256: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
  } catch {
    return false;
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex') === sha256;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      reject(new Error(`ffmpeg failed (exit ${String(error.code)}): ${String(stderr).trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
