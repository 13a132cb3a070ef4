import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/** An output file as served: a cached MP4, optionally followed by one `free` box of padding. */
export interface MediaLayout {
  basePath: string;
  baseBytes: number;
  /** Total bytes served: baseBytes, or baseBytes + the whole `free` box. */
  bytes: number;
}

const ZEROS = Buffer.alloc(64 * 1024);

/** Header of a top-level MP4 `free` box spanning `boxBytes` bytes (header included). */
export function freeBoxHeader(boxBytes: number): Buffer {
  if (boxBytes <= 0xffffffff) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(boxBytes, 0);
    header.write('free', 4, 'latin1');
    return header;
  }
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0); // size 1: a 64-bit largesize follows the type
  header.write('free', 4, 'latin1');
  header.writeBigUInt64BE(BigInt(boxBytes), 8);
  return header;
}

/** Bytes [start, end] (inclusive) of the served file, streamed: padding is never held in memory. */
export function readMediaRange(layout: MediaLayout, start: number, end: number): Readable {
  return Readable.from(mediaChunks(layout, start, end));
}

async function* mediaChunks(layout: MediaLayout, start: number, end: number): AsyncGenerator<Buffer> {
  const { basePath, baseBytes, bytes } = layout;
  if (start < baseBytes) {
    yield* createReadStream(basePath, { start, end: Math.min(end, baseBytes - 1) });
  }
  if (end < baseBytes || bytes === baseBytes) return;
  const header = freeBoxHeader(bytes - baseBytes);
  let position = Math.max(start, baseBytes);
  const headerEnd = baseBytes + header.length;
  if (position < headerEnd) {
    yield header.subarray(position - baseBytes, Math.min(end + 1, headerEnd) - baseBytes);
    position = headerEnd;
  }
  while (position <= end) {
    const length = Math.min(ZEROS.length, end + 1 - position);
    yield ZEROS.subarray(0, length);
    position += length;
  }
}
