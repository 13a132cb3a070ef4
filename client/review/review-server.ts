import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { finalizeUpdateSchema, reviewUpdateSchema, type FinalizeUpdate, type ReviewDecision, type ReviewView } from '../../schemas';
import { InputError } from '../input-error';
import { escapeHtml, progressSignature, renderProject, renderProjectList, type MediaUrls, type ProjectListing } from './review-page';
import type { ReviewedWorkloadSpec } from './reviewed-workload';

/**
 * The review page over the reviewed workloads' typed clients (`api.broll`, `api.explainers`: the same
 * calls, ReviewedWorkload): what awaits review (visibility), each one's review view, each take, voiceover
 * and contact sheet from a presigned S3 URL that lives a few minutes, and the reviewer's clicks as the
 * workflow's review and finalize Updates, whose validators decide what is allowed. Each workload has its
 * own path (`/projects/<id>`, `/explainers/<id>`). Presigned URLs and the token are secrets: they are never
 * logged, and the log shows a request's path without its query string.
 */
export interface ReviewClient {
  readonly reviewSpec: ReviewedWorkloadSpec;
  listAwaitingReview(): Promise<Array<{ workflowId: string }>>;
  progress(workloadId: string): Promise<ReviewView>;
  review(workloadId: string, decisions: ReviewDecision[]): Promise<ReviewView>;
  finalize(workloadId: string, options: FinalizeUpdate): Promise<unknown>;
}

export interface ReviewServerOptions {
  /** The reviewed workloads' clients, e.g. `[api.broll, api.explainers]`. */
  workloads: ReviewClient[];
  s3: S3Client;
  /** Default 127.0.0.1; any other interface needs a token. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  token?: string;
  /** How long a clip URL works; default 5 minutes. */
  clipUrlSeconds?: number;
  log?: (line: string) => void;
}

export interface RunningReviewServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_REVIEW_HOST = '127.0.0.1';
const TOKEN_COOKIE = 'review_token';
const MAX_BODY_BYTES = 64 * 1024;
const MAX_LISTED_PROJECTS = 200;

/**
 * A listed workload's progress is a Temporal query, which waits for a worker to answer it: one whose workers are
 * all gone would hold the whole list. Past this it is listed with the reason instead.
 */
const LISTED_PROGRESS_TIMEOUT_MS = 5_000;

function answeredWithin<T>(timeoutMs: number, answer: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s: is a worker running for it?`)), timeoutMs);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

/** Anyone who can reach a non-loopback interface could approve clips and end a review: refuse that without a token. */
export function checkReviewBind(host: string, token: string | undefined): void {
  if (token !== undefined && token.length === 0) throw new InputError('--token', 'must not be empty');
  if (!isLoopbackHost(host) && !token)
    throw new InputError(
      '--host',
      `${host} is not a loopback address: anyone who can reach it could review what awaits review. Give --token or REVIEW_TOKEN, or bind ${DEFAULT_REVIEW_HOST}`,
    );
}

export async function startReviewServer(options: ReviewServerOptions): Promise<RunningReviewServer> {
  const host = options.host ?? DEFAULT_REVIEW_HOST;
  checkReviewBind(host, options.token);
  const log = options.log ?? (() => undefined);
  const handler = new ReviewHandler(options);
  const server = http.createServer((request, response) => {
    handler
      .handle(request, response)
      .catch((error: unknown) => sendError(response, 500, error instanceof Error ? error.message : String(error)))
      .finally(() => log(`${request.method ?? '?'} ${pathOf(request)} ${response.statusCode}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The path alone: a query string may carry the token. */
function pathOf(request: http.IncomingMessage): string {
  return (request.url ?? '/').split('?')[0]!;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class ReviewHandler {
  private readonly tokenDigest: Buffer | undefined;

  constructor(private readonly options: ReviewServerOptions) {
    this.tokenDigest = options.token ? digest(options.token) : undefined;
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://review.invalid');
    if (!this.authorized(request, response, url)) return;
    try {
      await this.route(request, response, url);
    } catch (error) {
      if (error instanceof HttpError) return sendError(response, error.status, error.message);
      // The typed client's refusals: an unknown or ended workload, or the Update's validator saying no.
      if (error instanceof InputError)
        return sendError(
          response,
          this.options.workloads.some((client) => client.reviewSpec.idField === error.field) ? 404 : 409,
          error.message,
        );
      throw error;
    }
  }

  /** A token, when set, on every request: Bearer header, the cookie, or `?token=` once (then set as the cookie). */
  private authorized(request: http.IncomingMessage, response: http.ServerResponse, url: URL): boolean {
    if (!this.tokenDigest) {
      // Without a token the server is bound to loopback; a foreign Host header is a DNS-rebinding page.
      const hostHeader = (request.headers.host ?? '').replace(/:\d+$/, '');
      if (isLoopbackHost(hostHeader)) return true;
      sendError(response, 403, 'this review server only answers to a loopback host name');
      return false;
    }
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const cookie = parseCookies(request.headers.cookie)[TOKEN_COOKIE];
    const queryToken = url.searchParams.get('token');
    if (bearer !== undefined && this.tokenMatches(bearer)) return true;
    if (cookie !== undefined && this.tokenMatches(cookie)) return true;
    if (queryToken !== null && request.method === 'GET' && this.tokenMatches(queryToken)) {
      // Out of the address bar (and its history) at once; the browser keeps it as a same-site cookie.
      url.searchParams.delete('token');
      response.writeHead(303, {
        'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(queryToken)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: `${url.pathname}${url.search}`,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      });
      response.end();
      return false;
    }
    response.setHeader('WWW-Authenticate', 'Bearer realm="review"');
    sendError(response, 401, 'a valid token is required (Authorization: Bearer <token>, or open the page once with ?token=<token>)');
    return false;
  }

  private tokenMatches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.tokenDigest!);
  }

  private async route(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    if (url.pathname === '/' && method === 'GET') return this.listPage(response);
    const match = /^\/([a-z]+)\/([^/]+)(?:\/(review|finalize|signature))?$/.exec(url.pathname);
    const client = this.options.workloads.find((candidate) => candidate.reviewSpec.path === match?.[1]);
    if (!match || !client) throw new HttpError(404, 'not found');
    const workflowId = decodeURIComponent(match[2]!);
    const action = match[3];
    if (method === 'GET' && action === undefined) return this.workloadPage(response, client, workflowId);
    if (method === 'GET' && action === 'signature') {
      return sendJson(response, 200, { signature: progressSignature(await client.progress(workflowId)) });
    }
    if (method === 'POST' && (action === 'review' || action === 'finalize')) {
      checkSameOrigin(request);
      const body = await readJson(request);
      return action === 'review' ? this.review(response, client, workflowId, body) : this.finalize(response, client, workflowId, body);
    }
    throw new HttpError(method === 'GET' || method === 'POST' ? 404 : 405, 'not found');
  }

  private async listPage(response: http.ServerResponse): Promise<void> {
    const awaiting = (
      await Promise.all(
        this.options.workloads.map(async (client) => (await client.listAwaitingReview()).map(({ workflowId }) => ({ client, workflowId }))),
      )
    ).flat();
    const listed = await Promise.all(
      awaiting.slice(0, MAX_LISTED_PROJECTS).map(async ({ client, workflowId }): Promise<ProjectListing> => {
        const workload = client.reviewSpec;
        try {
          return { workload, workflowId, progress: await answeredWithin(LISTED_PROGRESS_TIMEOUT_MS, client.progress(workflowId)) };
        } catch (error) {
          return { workload, workflowId, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    sendHtml(response, (nonce) => renderProjectList(listed, nonce), []);
  }

  private async workloadPage(response: http.ServerResponse, client: ReviewClient, workflowId: string): Promise<void> {
    const progress = await client.progress(workflowId);
    const takes = new Map<string, string>();
    const voiceovers = new Map<string, string>();
    await Promise.all(
      progress.items.flatMap((item) => [
        ...item.takes.map(async (take) => {
          if (take.output) takes.set(`${item.key}/${take.take}`, await this.presign(take.output.bucket, take.output.key, 'video/mp4'));
        }),
        (async () => {
          const audio = item.voiceover?.output;
          if (audio) voiceovers.set(item.key, await this.presign(audio.bucket, audio.key, 'audio/mpeg'));
        })(),
      ]),
    );
    const sheet = progress.contactSheet;
    const urls: MediaUrls = {
      takes,
      voiceovers,
      ...(sheet ? { contactSheet: await this.presign(sheet.bucket, sheet.key, 'image/jpeg') } : {}),
    };
    const origins = [
      ...new Set(
        [...takes.values(), ...voiceovers.values(), ...(urls.contactSheet ? [urls.contactSheet] : [])].map((url) => new URL(url).origin),
      ),
    ];
    sendHtml(response, (nonce) => renderProject(client.reviewSpec, workflowId, progress, urls, nonce), origins);
  }

  private presign(bucket: string, key: string, contentType: string): Promise<string> {
    const command = new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentType: contentType });
    return getSignedUrl(this.options.s3, command, { expiresIn: this.options.clipUrlSeconds ?? 300 });
  }

  private async review(response: http.ServerResponse, client: ReviewClient, workflowId: string, body: unknown): Promise<void> {
    const parsed = reviewUpdateSchema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, zodMessage(parsed.error.issues));
    sendJson(response, 200, await client.review(workflowId, parsed.data.decisions));
  }

  /** The workload's result, and what the page says of its delivery. */
  private async finalize(response: http.ServerResponse, client: ReviewClient, workflowId: string, body: unknown): Promise<void> {
    const parsed = finalizeUpdateSchema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, zodMessage(parsed.error.issues));
    const result = await client.finalize(workflowId, parsed.data);
    sendJson(response, 200, { result, delivered: client.reviewSpec.delivered(result) });
  }
}

/** A page on another site cannot post here: JSON only (a cross-site form cannot send it), and a matching Origin. */
function checkSameOrigin(request: http.IncomingMessage): void {
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) throw new HttpError(415, 'send application/json');
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host ?? ''}`) throw new HttpError(403, 'cross-origin request refused');
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

function zodMessage(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`).join('; ');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    try {
      cookies[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      // A malformed cookie is no token.
    }
  }
  return cookies;
}

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // A clip's presigned URL or the page's own address must not leak to another site.
  'Referrer-Policy': 'no-referrer',
};

/** The page and its Content-Security-Policy: its own script and style by nonce, media and images only from the presigned URLs' origins. */
function sendHtml(response: http.ServerResponse, render: (nonce: string) => string, mediaOrigins: string[]): void {
  const nonce = randomBytes(16).toString('base64');
  const media = mediaOrigins.length ? mediaOrigins.join(' ') : "'none'";
  response.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; media-src ${media}; img-src ${media}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  });
  response.end(render(nonce));
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** JSON for the page's script, a short HTML page for a browser. */
function sendError(response: http.ServerResponse, status: number, message: string): void {
  if (response.headersSent) return void response.end();
  const wantsHtml = /text\/html/.test(String(response.req?.headers.accept ?? ''));
  if (!wantsHtml) return sendJson(response, status, { error: message });
  response.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'",
  });
  response.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status}</title></head><body><h1>${status}</h1><p>${escapeHtml(message)}</p></body></html>`,
  );
}
