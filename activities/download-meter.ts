import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/**
 * Counts and hashes a download while its consumer (lib-storage) reads it, with no extra stream stage in
 * the byte path: on a CPU-bound worker a pass-through Transform cost as much again as the hash itself.
 */
export class DownloadMeter {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private hex: string | undefined;
  private lastBeat = 0;

  constructor(body: Readable, onProgress: (bytes: number) => void, progressEveryMs = 1000) {
    // Paused first, so this listener does not start the flow: the consumer pulls with read(), and Node
    // emits 'data' for every chunk read() hands out, so each byte it uploads passes here once, in order.
    body.pause();
    body.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.hash.update(chunk);
      if (Date.now() - this.lastBeat > progressEveryMs) {
        this.lastBeat = Date.now();
        onProgress(this.bytes);
      }
    });
  }

  /** The sha256 (hex) of every byte read so far; call once the consumer is done. */
  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}
