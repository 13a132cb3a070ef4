import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { resetConnection, sendError, sendMethodNotAllowed } from '../http';
import type { MediaVariant } from '../media';
import { readMediaRange } from '../media-stream';
import { parseRange, type ByteRange } from '../range';
import { checkMediaSignature } from '../signing';
import type { SimulatorState } from '../state';
import type { TaskRecord } from '../task';

const MEDIA_PATH = /^\/media\/([^/]+)\/output\.(mp4|mp3)$/;

/** Signed output downloads: GET and HEAD, Range (206), 403 on a bad or expired signature. */
export async function handleMedia(state: SimulatorState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const match = MEDIA_PATH.exec(url.pathname);
  if (!match?.[1]) return sendError(res, 404, 'Not found');
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET', 'HEAD']);
  const check = checkMediaSignature(state.signingSecret, url.pathname, url.searchParams, Date.now() / 1000);
  if (check !== 'valid') {
    state.stats.downloads.forbidden += 1;
    return sendError(res, 403, check === 'expired' ? 'This URL has expired.' : 'Invalid signature.');
  }
  const task = state.scheduler.tasks.get(decodeURIComponent(match[1]));
  if (!task?.output || match[2] !== task.output.extension) return sendError(res, 404, 'Not found');
  const fault = state.faults.httpFault('media', 'GET', task);
  if (fault?.kind === 'reset') return resetConnection(res);
  if (fault) return sendError(res, fault.status, 'The media server failed. Retry later.');
  const range = parseRange(req.headers.range, task.output.bytes);
  if (range === 'unsatisfiable') {
    return sendError(res, 416, 'Range not satisfiable', { headers: { 'Content-Range': `bytes */${task.output.bytes}` } });
  }
  res.writeHead(range.partial ? 206 : 200, mediaHeaders(task.output, range));
  if (req.method === 'HEAD') {
    state.stats.downloads.head += 1;
    return void res.end();
  }
  await sendBody(state, task, task.output, range, res);
}

function mediaHeaders(output: MediaVariant, range: ByteRange): Record<string, string> {
  return {
    'Content-Type': output.contentType,
    'Content-Length': String(range.end - range.start + 1),
    'Accept-Ranges': 'bytes',
    ETag: `"${output.sha256}"`,
    'Cache-Control': 'private, max-age=86400',
    ...(range.partial ? { 'Content-Range': `bytes ${range.start}-${range.end}/${output.bytes}` } : {}),
  };
}

/** Stream the bytes; a truncated download sends about half of them, then drops the connection. */
async function sendBody(state: SimulatorState, task: TaskRecord, output: MediaVariant, range: ByteRange, res: ServerResponse) {
  state.stats.downloads.total += 1;
  if (range.partial) state.stats.downloads.ranged += 1;
  const truncate = state.faults.truncateDownload(task, task.downloads);
  task.downloads += 1;
  const length = range.end - range.start + 1;
  if (!truncate || length < 2) {
    await pipeline(readMediaRange(output, range.start, range.end), res).catch(() => res.destroy());
    return;
  }
  state.stats.downloads.truncated += 1;
  const cutEnd = range.start + Math.floor(length / 2) - 1;
  await pipeline(readMediaRange(output, range.start, cutEnd), res, { end: false }).catch(() => undefined);
  // Close the connection mid-body: what was written is flushed first, then the peer sees EOF early.
  res.socket?.end();
}
