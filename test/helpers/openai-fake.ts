import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletion, ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { Moderation, ModerationCreateParams, ModerationCreateResponse } from 'openai/resources/moderations';

/**
 * A local OpenAI-compatible endpoint for tests: `POST /v1/chat/completions` and `POST /v1/moderations`
 * answered in the shapes of the official `openai` package's types (which this file is type-checked
 * against), one scripted answer per request, every request recorded. What a test scripts is what the
 * code under test meets: an answer, a refusal, a delay, a 5xx or 429 in OpenAI's error shape, a body that
 * is not JSON. An empty queue answers a 500 that says so (a chat test that forgot to script is a failure,
 * not a silent fallback), unless the test set a `respond` function; moderation's default is "not flagged".
 *
 * The official client retries 408/409/429/5xx and connection errors on its own (`maxRetries`, default 2):
 * each retry takes the next scripted answer, and each is recorded.
 */

/** One scripted answer. Any of them may wait `delayMs` first (a slow endpoint, or one past a client's timeout). */
export type FakeAnswer =
  | { kind: 'chat'; content: string; finishReason?: ChatCompletion.Choice['finish_reason']; delayMs?: number }
  | { kind: 'refusal'; refusal: string; delayMs?: number }
  | { kind: 'moderation'; flagged: boolean; categories?: Partial<Moderation.Categories>; delayMs?: number }
  | { kind: 'error'; status: number; message?: string; code?: string; retryAfterSeconds?: number; delayMs?: number }
  /** 200 with a body that is not what the endpoint promises: not JSON, or JSON of another shape. */
  | { kind: 'malformed'; body: string; delayMs?: number }
  /** The connection is closed without an answer. */
  | { kind: 'hangup'; delayMs?: number };

export type FakeEndpoint = 'chat' | 'moderations';

export interface RecordedRequest {
  endpoint: FakeEndpoint;
  path: string;
  /** Whether the request carried `Authorization: Bearer <apiKey>`; the key itself is not kept. */
  authorized: boolean;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  at: number;
}

export interface OpenAiFake {
  /** What the `openai` client takes as `baseURL`: `http://127.0.0.1:<port>/v1`. */
  baseURL: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Chat requests' bodies, typed as the SDK sends them. */
  chatRequests(): ChatCompletionCreateParams[];
  moderationRequests(): ModerationCreateParams[];
  /** Queue answers for an endpoint, taken one per request in order. */
  script(endpoint: FakeEndpoint, ...answers: FakeAnswer[]): void;
  /** The answer when an endpoint's queue is empty (default: chat 500 "nothing scripted", moderation not flagged). */
  respond(endpoint: FakeEndpoint, answer: ((body: unknown) => FakeAnswer) | undefined): void;
  /** Scripted answers not yet taken. */
  pending(endpoint: FakeEndpoint): number;
  /** Forget queues, defaults and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/instructions',
  'self-harm/intent',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const satisfies ReadonlyArray<keyof Moderation.Categories>;

export async function startOpenAiFake(options: { apiKey?: string } = {}): Promise<OpenAiFake> {
  const apiKey = options.apiKey ?? `sk-fake-${randomUUID()}`;
  const queues: Record<FakeEndpoint, FakeAnswer[]> = { chat: [], moderations: [] };
  const defaults: Partial<Record<FakeEndpoint, (body: unknown) => FakeAnswer>> = {};
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0]!;
      const endpoint: FakeEndpoint | undefined =
        request.method === 'POST' && path === '/v1/chat/completions'
          ? 'chat'
          : request.method === 'POST' && path === '/v1/moderations'
            ? 'moderations'
            : undefined;
      if (!endpoint) return sendError(response, 404, `no route ${request.method ?? '?'} ${path}`, 'invalid_request_error');
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const authorized = request.headers.authorization === `Bearer ${apiKey}`;
      requests.push({ endpoint, path, authorized, headers: redacted(request.headers), body, at: Date.now() });
      if (!authorized) return sendError(response, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
      const invalid = endpoint === 'chat' ? invalidChat(body) : invalidModeration(body);
      if (invalid) return sendError(response, 400, invalid, 'invalid_request_error');
      const answer = queues[endpoint].shift() ?? defaults[endpoint]?.(body) ?? defaultAnswer(endpoint);
      const reply = () => {
        if (response.destroyed) return;
        answerWith(response, endpoint, answer, body);
      };
      if (!answer.delayMs) return reply();
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, answer.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    chatRequests: () => requests.filter((entry) => entry.endpoint === 'chat').map((entry) => entry.body as ChatCompletionCreateParams),
    moderationRequests: () =>
      requests.filter((entry) => entry.endpoint === 'moderations').map((entry) => entry.body as ModerationCreateParams),
    script: (endpoint, ...answers) => void queues[endpoint].push(...answers),
    respond: (endpoint, answer) => {
      if (answer) defaults[endpoint] = answer;
      else delete defaults[endpoint];
    },
    pending: (endpoint) => queues[endpoint].length,
    reset: () => {
      queues.chat.length = 0;
      queues.moderations.length = 0;
      delete defaults.chat;
      delete defaults.moderations;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function defaultAnswer(endpoint: FakeEndpoint): FakeAnswer {
  return endpoint === 'moderations'
    ? { kind: 'moderation', flagged: false }
    : { kind: 'error', status: 500, message: 'openai-fake: no chat answer was scripted for this request' };
}

function answerWith(response: http.ServerResponse, endpoint: FakeEndpoint, answer: FakeAnswer, body: unknown): void {
  switch (answer.kind) {
    case 'hangup':
      response.socket?.destroy();
      return;
    case 'malformed':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(answer.body);
      return;
    case 'error':
      return sendError(
        response,
        answer.status,
        answer.message ?? `openai-fake: scripted ${answer.status}`,
        answer.status === 429 ? 'requests' : answer.status >= 500 ? 'server_error' : 'invalid_request_error',
        answer.code,
        answer.retryAfterSeconds,
      );
    case 'chat':
    case 'refusal':
      if (endpoint !== 'chat') return sendError(response, 500, `openai-fake: a ${answer.kind} answer was scripted for ${endpoint}`);
      return sendJson(response, chatCompletion(answer, (body as { model: string }).model));
    case 'moderation':
      if (endpoint !== 'moderations') return sendError(response, 500, 'openai-fake: a moderation answer was scripted for chat');
      return sendJson(response, moderationResponse(answer, body as ModerationCreateParams));
  }
}

function chatCompletion(answer: Extract<FakeAnswer, { kind: 'chat' | 'refusal' }>, model: string): ChatCompletion {
  const refusal = answer.kind === 'refusal';
  const content = refusal ? null : answer.content;
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        finish_reason: refusal ? 'stop' : (answer.finishReason ?? 'stop'),
        logprobs: null,
        message: { role: 'assistant', content, refusal: refusal ? answer.refusal : null },
      },
    ],
    usage: { prompt_tokens: 0, completion_tokens: content ? Math.ceil(content.length / 4) : 0, total_tokens: 0 },
  };
}

/** One result per input, every result the scripted verdict. */
function moderationResponse(answer: Extract<FakeAnswer, { kind: 'moderation' }>, body: ModerationCreateParams): ModerationCreateResponse {
  const inputs = Array.isArray(body.input) ? body.input.length : 1;
  const categories = Object.fromEntries(
    MODERATION_CATEGORIES.map((category) => [category, answer.categories?.[category] ?? false]),
  ) as unknown as Moderation.Categories;
  if (answer.flagged && !MODERATION_CATEGORIES.some((category) => categories[category])) categories.violence = true;
  const scores = Object.fromEntries(
    MODERATION_CATEGORIES.map((category) => [category, categories[category] ? 0.97 : 0.001]),
  ) as unknown as Moderation.CategoryScores;
  const applied = Object.fromEntries(
    MODERATION_CATEGORIES.map((category) => [category, ['text']]),
  ) as unknown as Moderation.CategoryAppliedInputTypes;
  const result: Moderation = {
    flagged: answer.flagged,
    categories,
    category_scores: scores,
    category_applied_input_types: applied,
  };
  return {
    id: `modr-${randomUUID()}`,
    model: body.model ?? 'omni-moderation-latest',
    results: Array.from({ length: inputs }, () => result),
  };
}

/** What OpenAI answers a chat request without a model or messages: a 400, so a broken request fails loudly. */
function invalidChat(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'We could not parse the JSON body of your request.';
  const { model, messages, stream } = body as Partial<ChatCompletionCreateParams>;
  if (typeof model !== 'string' || model === '') return 'you must provide a model parameter';
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must contain at least one message";
  if (stream) return 'openai-fake: streaming is not supported';
  return undefined;
}

function invalidModeration(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'We could not parse the JSON body of your request.';
  const { input } = body as Partial<ModerationCreateParams>;
  if (typeof input !== 'string' && !Array.isArray(input)) return "'input' is a required property";
  return undefined;
}

/** OpenAI's error shape: `{ error: { message, type, param, code } }`. */
function sendError(
  response: http.ServerResponse,
  status: number,
  message: string,
  type = 'server_error',
  code?: string,
  retryAfterSeconds?: number,
): void {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  response.writeHead(status, headers);
  response.end(JSON.stringify({ error: { message, type, param: null, code: code ?? null } }));
}

function sendJson(response: http.ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function redacted(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const copy = { ...headers };
  if (copy.authorization) copy.authorization = 'Bearer <redacted>';
  return copy;
}
