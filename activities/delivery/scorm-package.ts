import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import type { ChunkTiming } from '../assembly-media';
import { scormManifest } from './scorm-manifest';
import { scormPlayerPage } from './scorm-player-page';

/**
 * The explainer as a SCORM 1.2 package: one zip an LMS imports as a course module. It holds the manifest,
 * the player page and its script, the MP4 and the WebVTT captions; the player reports completion through
 * the LMS's SCORM API (scorm-player.js). Built from local files, no I/O beyond them and the zip it writes.
 */
export interface ScormPackageInput {
  /** The explainer id: the package's identifier. */
  explainerId: string;
  title: string;
  language: string;
  /** The assembled MP4 on disk. */
  mp4Path: string;
  /** The WebVTT captions, as written beside the MP4. */
  vtt: string;
  /** The transcript: each chunk's narration and when it is spoken. */
  cues: Array<ChunkTiming & { text: string }>;
}

export interface WrittenScormPackage {
  bytes: number;
  sha256: string;
  /** The files in the zip, in the order they were written (the manifest first). */
  files: string[];
}

/** The package's files, by their path inside the zip. */
export const SCORM_FILES = {
  manifest: 'imsmanifest.xml',
  launch: 'index.html',
  script: 'player.js',
  video: 'explainer.mp4',
  captions: 'explainer.vtt',
} as const;

/** The player's script ships as a real file beside this module, linted as browser JavaScript. */
const PLAYER_SCRIPT = path.join(__dirname, 'scorm-player.js');

/** Every entry gets the same timestamp, so two builds of the same explainer differ only where their inputs do. */
const ENTRY_MTIME = new Date(Date.UTC(2020, 0, 1));

export async function writeScormPackage(input: ScormPackageInput, outPath: string): Promise<WrittenScormPackage> {
  const sco = [SCORM_FILES.launch, SCORM_FILES.script, SCORM_FILES.video, SCORM_FILES.captions];
  const manifest = scormManifest({ identifier: input.explainerId, title: input.title, launch: SCORM_FILES.launch, files: sco });
  const page = scormPlayerPage({
    title: input.title,
    language: input.language,
    video: SCORM_FILES.video,
    captions: SCORM_FILES.captions,
    script: SCORM_FILES.script,
    cues: input.cues,
  });
  const zip = new ZipFile();
  const text = { mtime: ENTRY_MTIME, compress: true };
  zip.addBuffer(Buffer.from(manifest, 'utf8'), SCORM_FILES.manifest, text);
  zip.addBuffer(Buffer.from(page, 'utf8'), SCORM_FILES.launch, text);
  zip.addBuffer(await fs.readFile(PLAYER_SCRIPT), SCORM_FILES.script, text);
  // H.264 + AAC does not deflate: stored, so an LMS can serve the video straight from the zip without inflating it.
  zip.addFile(input.mp4Path, SCORM_FILES.video, { mtime: ENTRY_MTIME, compress: false });
  zip.addBuffer(Buffer.from(input.vtt, 'utf8'), SCORM_FILES.captions, text);
  zip.end();
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    zip.outputStream,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(outPath),
  );
  return { bytes, sha256: hash.digest('hex'), files: [SCORM_FILES.manifest, ...sco] };
}
