import type { IncomingMessage, ServerResponse } from 'node:http';

/** Enough for a 5 MB data URI plus the rest of a create body. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Runway's error shape: `{ "error": "<human readable>" }`, plus optional details. */
export function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  options: { headers?: Record<string, string>; details?: Record<string, unknown> } = {},
): void {
  sendJson(res, status, { error, ...options.details }, options.headers);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

export function sendMethodNotAllowed(res: ServerResponse, allowed: readonly string[]): void {
  sendError(res, 405, `Method not allowed; allowed: ${allowed.join(', ')}`, { headers: { Allow: allowed.join(', ') } });
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; error: string };

/** Read and parse a JSON body; an empty body is `undefined`. */
export async function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, error: `request body is larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, error: 'request body is not valid JSON' };
  }
}

/** Drop the connection without answering (a simulated network reset). */
export function resetConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
