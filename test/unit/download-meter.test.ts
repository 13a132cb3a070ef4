import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DownloadMeter } from '../../activities/download-meter';

/** A byte stream that hands out `chunks` as fast as it is read, like undici's response body. */
function byteStream(chunks: Buffer[]): Readable {
  let next = 0;
  return new Readable({
    read() {
      this.push(next < chunks.length ? chunks[next++] : null);
    },
  });
}

test('hashes and counts exactly what a for-await consumer (lib-storage) reads, however read() batches it', async () => {
  const chunks = Array.from({ length: 40 }, (_, index) => randomBytes(1000 + index * 997));
  const body = byteStream(chunks);
  const progress: number[] = [];
  const meter = new DownloadMeter(body, (bytes) => progress.push(bytes), 0);
  const consumed: Buffer[] = [];
  // Let several chunks pile up first, so read() returns them joined.
  await new Promise((resolve) => setTimeout(resolve, 20));
  for await (const chunk of body) consumed.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  expect(Buffer.concat(consumed).equals(all)).toBe(true);
  expect(meter.bytes).toBe(all.length);
  expect(meter.digest()).toBe(createHash('sha256').update(all).digest('hex'));
  expect(progress.length).toBeGreaterThan(0);
  expect(progress[progress.length - 1]).toBeLessThanOrEqual(all.length);
});

test('does not start the flow on its own: nothing is read until the consumer reads', async () => {
  const body = byteStream([Buffer.from('abc'), Buffer.from('def')]);
  const meter = new DownloadMeter(body, () => undefined);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(meter.bytes).toBe(0);
  expect(body.readableFlowing).toBe(false);
  let text = '';
  for await (const chunk of body) text += String(chunk);
  expect(text).toBe('abcdef');
  expect(meter.bytes).toBe(6);
});
