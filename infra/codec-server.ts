import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { AesGcmPayloadCodec, codecKeysFromEnv } from './payload-codec';

/** A batch of payloads is a few prompts and results; anything near this size is not the Web UI. */
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface CodecServerOptions {
  /** What /encode and /decode apply; the same codec (and keys) as the worker's data converter. */
  codec: PayloadCodec;
  /** The shared secret every /encode and /decode must carry (see `authorized`). */
  token: string;
  /** Origins whose pages may call the server from a browser (the Web UI's URL). */
  allowedOrigins: readonly string[];
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxBodyBytes?: number;
  /** Request outcomes (method, route, status) — never payloads, never the token. */
  log?: (line: string) => void;
}

export interface RunningCodecServer {
  /** `http://host:port`, without the token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Temporal's remote codec JSON: protobuf's JSON mapping of Payload, so bytes are base64 strings. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'not base64');
const jsonPayloadSchema = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});
const codecRequestSchema = z.object({ payloads: z.array(jsonPayloadSchema) });
type JsonPayload = z.infer<typeof jsonPayloadSchema>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Temporal's remote codec contract (`POST /encode`, `POST /decode`, `{payloads: [...]}` in and out), for the
 * Web UI and `temporal --codec-endpoint`, over node:http.
 *
 * Who may call it: every request must prove the token, either as `Authorization: Bearer <token>` (the CLI's
 * `--codec-auth`, scripts) or as the first path segment (`/<token>/decode`). The path form exists because the
 * Web UI sends an Authorization header only with "pass access token" on AND a user logged in through its OIDC
 * auth, and then it sends that user's identity token, not ours; the dev server's UI (`temporal server start-dev
 * --ui-codec-endpoint`) has no login at all, so it can send nothing but the endpoint URL it was given, to which
 * it appends `/decode`. Configuring `http://host:port/<token>` as the UI's endpoint makes the UI prove the token.
 * Whoever can open the UI can read the endpoint (the UI hands it to the browser), so the token keeps out what
 * cannot reach the UI — other processes and pages — and CORS keeps other origins' pages out as well.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const tokenDigest = digest(options.token);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);
  const allowedOrigins = new Set(options.allowedOrigins.map(normalizeOrigin));

  const server = http.createServer((request, response) => {
    const origin = request.headers.origin;
    const originAllowed = origin !== undefined && allowedOrigins.has(normalizeOrigin(origin));
    if (originAllowed) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    response.setHeader('Vary', 'Origin');
    const { route, pathToken } = parsePath(request.url ?? '/');
    handle(request, response, route, pathToken, origin, originAllowed)
      .then(
        (body) => reply(response, body === undefined ? 204 : 200, body),
        (error: unknown) => {
          const status = error instanceof HttpError ? error.status : 500;
          reply(response, status, { message: error instanceof Error ? error.message : String(error) });
          // A body left unread (too large, refused early) would otherwise keep the socket busy.
          if (!request.complete) request.resume();
        },
      )
      .finally(() => log(`${request.method ?? '?'} ${route} ${response.statusCode}`));
  });

  async function handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    route: string,
    pathToken: string | undefined,
    origin: string | undefined,
    originAllowed: boolean,
  ): Promise<unknown> {
    if (route === '/health' && request.method === 'GET') return { ok: true };
    if (route !== '/encode' && route !== '/decode') throw new HttpError(404, 'not found: POST /encode or /decode');
    // A page of another origin gets no CORS headers (so the browser refuses it) and a refusal here as well.
    if (origin !== undefined && !originAllowed) throw new HttpError(403, 'origin not allowed');
    if (request.method === 'OPTIONS') {
      // Browsers never send credentials on a preflight, so it is answered without the token (for allowed origins only).
      if (!originAllowed) throw new HttpError(403, 'preflight without an allowed Origin');
      response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      response.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      response.setHeader('Access-Control-Max-Age', '600');
      return undefined;
    }
    if (request.method !== 'POST') throw new HttpError(405, 'method not allowed: POST');
    if (!authorized(request, pathToken, tokenDigest)) throw new HttpError(401, 'missing or wrong codec server token');
    const body = codecRequestSchema.safeParse(await readJson(request, maxBodyBytes));
    if (!body.success) throw new HttpError(400, `expected {payloads: [{metadata, data}]}: ${body.error.issues[0]?.message ?? 'invalid'}`);
    const payloads = body.data.payloads.map(fromJson);
    try {
      const out = route === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      return { payloads: out.map(toJson) };
    } catch (error) {
      // The codec's own messages name a key id or "failed authentication", never payload contents.
      throw new HttpError(400, error instanceof Error ? error.message : String(error));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.requestTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The headers the Web UI sends: JSON, the namespace, and its access token when "pass access token" is on. */
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization';

/** `/decode` or `/<token>/decode` (a trailing slash and a query are ignored). */
function parsePath(url: string): { route: string; pathToken: string | undefined } {
  const pathname = url.split('?')[0] ?? '/';
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.length === 2) return { route: `/${segments[1]}`, pathToken: safeDecode(segments[0]!) };
  return { route: `/${segments.join('/')}`, pathToken: undefined };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The bearer header or the path segment, compared in constant time (digests, so lengths do not leak either). */
function authorized(request: http.IncomingMessage, pathToken: string | undefined, tokenDigest: Buffer): boolean {
  const header = request.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  return [bearer, pathToken].some((candidate) => candidate !== undefined && timingSafeEqual(digest(candidate), tokenDigest));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

function readJson(request: http.IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new HttpError(413, `body over ${maxBytes} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, `body over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
    });
    request.on('end', () => {
      if (failed) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'body is not JSON'));
      }
    });
  });
}

function reply(response: http.ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

function fromJson(payload: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  return { metadata, data: payload.data ? Buffer.from(payload.data, 'base64') : undefined };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

const port = z.coerce.number().int().min(0).max(65_535);
const nonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Every variable `npm run codec-server` reads (besides the codec's PAYLOAD_CODEC_KEYS / PAYLOAD_CODEC_KEY_FILE). */
export const codecServerEnvSchema = z.object({
  CODEC_SERVER_HOST: z.string().default('127.0.0.1'),
  CODEC_SERVER_PORT: port.default(8888),
  CODEC_SERVER_TOKEN: z.string().trim().min(16, 'CODEC_SERVER_TOKEN: at least 16 characters (e.g. `openssl rand -hex 24`)'),
  /** Comma-separated origins; default the Web UI's URL (TEMPORAL_UI_URL, else the dev server's default UI). */
  CODEC_SERVER_CORS_ORIGINS: nonEmpty,
  TEMPORAL_UI_URL: nonEmpty,
  CODEC_SERVER_MAX_BODY_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_BODY_BYTES),
});

/** The server's options from the environment; without a configured key it refuses to start (it would have nothing to do). */
export function codecServerOptionsFromEnv(env: NodeJS.ProcessEnv): CodecServerOptions {
  const parsed = codecServerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`codec server: invalid environment:\n  ${problems.join('\n  ')}`);
  }
  const keys = codecKeysFromEnv(env);
  if (!keys)
    throw new Error("codec server: no key configured (set PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE, the same as the worker's)");
  const config = parsed.data;
  const origins = config.CODEC_SERVER_CORS_ORIGINS ?? config.TEMPORAL_UI_URL ?? 'http://localhost:8233,http://127.0.0.1:8233';
  return {
    codec: new AesGcmPayloadCodec(keys),
    token: config.CODEC_SERVER_TOKEN,
    allowedOrigins: origins
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    host: config.CODEC_SERVER_HOST,
    port: config.CODEC_SERVER_PORT,
    maxBodyBytes: config.CODEC_SERVER_MAX_BODY_BYTES,
  };
}
