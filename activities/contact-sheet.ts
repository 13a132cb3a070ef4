import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure, log } from '@temporalio/activity';
import { makeContactSheet, type ContactSheetCell } from '../infra/delivery/contact-sheet';
import { ffmpegPath } from '../infra/ffmpeg';
import { FailureType, type ContactSheetRef } from '../schemas';
import { contactSheetObjectKey } from '../schemas/object-keys';
import type { ActivityDeps } from './deps';
import { withKeepAlive } from './keep-alive';

export interface ContactSheetInput {
  bucket: string;
  prefix: string;
  projectId: string;
  /** Cells a row (the takes of a round). */
  columns: number;
  /** Row by row: each take's label and its archived object, or none for a take without output. */
  cells: Array<{ label: string; key?: string; atSeconds?: number }>;
}

/**
 * The project's contact sheet in S3 (`<prefix><projectId>/contact-sheet.jpg`): each take's archived clip
 * downloaded to a temporary folder, a labelled frame from its middle, tiled by ffmpeg, put whole (a retry
 * writes the same image again). People look before they read: the review page shows it first.
 */
export function createWriteContactSheet(deps: Pick<ActivityDeps, 's3'>) {
  return async function writeContactSheet(input: ContactSheetInput): Promise<ContactSheetRef> {
    return withKeepAlive(async () => {
      const work = await mkdtemp(path.join(os.tmpdir(), 'rt-contact-sheet-'));
      try {
        const cells: ContactSheetCell[] = [];
        for (const [index, cell] of input.cells.entries()) {
          if (!cell.key) {
            cells.push({ label: cell.label });
            continue;
          }
          const file = path.join(work, `take-${index}.mp4`);
          const object = await deps.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: cell.key }));
          await pipeline(object.Body as Readable, createWriteStream(file));
          cells.push({ label: cell.label, file, ...(cell.atSeconds !== undefined ? { atSeconds: cell.atSeconds } : {}) });
        }
        const output = path.join(work, 'contact-sheet.jpg');
        await makeContactSheet(runTool, mediaTool(), cells, Math.max(1, input.columns), work, output);
        const key = contactSheetObjectKey(input.prefix, input.projectId);
        await deps.s3.send(
          new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: await readFile(output), ContentType: 'image/jpeg' }),
        );
        log.info('contact sheet written', { projectId: input.projectId, takes: input.cells.length });
        return { bucket: input.bucket, key, takes: input.cells.length };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  };
}

function mediaTool(): string {
  try {
    return ffmpegPath();
  } catch (error) {
    throw ApplicationFailure.create({
      type: FailureType.MediaToolMissing,
      nonRetryable: true,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

function runTool(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const tail = String(stderr).trim().split('\n').slice(-3).join(' | ');
      reject(
        new Error(`${path.basename(file)} failed (${error.killed ? 'killed after 2 minutes' : `exit ${String(error.code)}`}): ${tail}`),
      );
    });
  });
}
