import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import {
  RUNWAY_API_VERSION,
  createTaskResponseSchema,
  errorBodySchema,
  organizationSchema,
  organizationUsageSchema,
  taskSchema,
  type CreateTaskBody,
  type CreateTaskResponse,
  type Organization,
  type OrganizationUsage,
  type RunwayEndpoint,
  type RunwayTask,
  type PresignedUpload,
  presignedUploadSchema,
} from '../../schemas';
import { RunwayHttpError, RunwayProtocolError, parseRetryAfter } from './errors';

export interface RunwayClientOptions {
  baseUrl: string;
  apiSecret: string;
  /** Per-request budget for headers and body, ms. */
  requestTimeoutMs?: number;
  dispatcher?: Dispatcher;
  /** Called around every request, e.g. by a circuit breaker. */
  guard?: <T>(operation: string, call: () => Promise<T>) => Promise<T>;
}

/** The one Runway HTTP client every activity uses: undici, zod-parsed answers, typed errors. */
export class RunwayClient {
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;

  constructor(private readonly options: RunwayClientOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  }

  createTask(endpoint: RunwayEndpoint, body: CreateTaskBody): Promise<CreateTaskResponse> {
    return this.call('POST', `/v1/${endpoint}`, `create ${endpoint}`, createTaskResponseSchema, body);
  }

  getTask(taskId: string): Promise<RunwayTask> {
    return this.call('GET', `/v1/tasks/${encodeURIComponent(taskId)}`, 'get task', taskSchema);
  }

  /** The workspace's tier (per-model caps and daily limits), its usage today and its credit balance. */
  getOrganization(): Promise<Organization> {
    return this.call('GET', '/v1/organization', 'get organization', organizationSchema);
  }

  /** Net credits used per model per UTC day in [startDate, beforeDate) (at most 90 days). */
  getUsage(range: { startDate: string; beforeDate: string }): Promise<OrganizationUsage> {
    return this.call('POST', '/v1/organization/usage', 'get usage', organizationUsageSchema, range);
  }

  /** Ask for an ephemeral upload: the presigned form to post the file to and its runway:// URI. */
  createUpload(filename: string): Promise<PresignedUpload> {
    return this.call('POST', '/v1/uploads', 'create upload', presignedUploadSchema, { filename, type: 'ephemeral' });
  }

  /**
   * Post the file to the upload's presigned form (a storage URL: the signed fields authorize it, never the
   * API key), streamed as multipart/form-data with the fields first and the file last, as storage requires.
   */
  async uploadFile(
    upload: PresignedUpload,
    file: { body: Readable | AsyncIterable<Uint8Array>; bytes: number; filename: string; contentType: string },
  ): Promise<void> {
    const boundary = `----runway-temporal-${randomUUID()}`;
    const quoted = (value: string) => value.replace(/["\r\n]/g, '_');
    let head = '';
    for (const [name, value] of Object.entries(upload.fields)) {
      head += `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`;
    }
    head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(file.filename)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const length = Buffer.byteLength(head) + file.bytes + Buffer.byteLength(tail);
    async function* multipart(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(head);
      let sent = 0;
      for await (const chunk of file.body) {
        sent += chunk.length;
        yield chunk;
      }
      if (sent !== file.bytes) throw new Error(`upload source gave ${sent} bytes, expected ${file.bytes}`);
      yield Buffer.from(tail);
    }
    const operation = 'upload file';
    const send = async () => {
      const response = await request(upload.uploadUrl, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
        body: Readable.from(multipart()),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await response.body.text();
      if (response.statusCode >= 400) {
        throw new RunwayHttpError(response.statusCode, apiErrorText(text), parseRetryAfter(response.headers['retry-after']), operation);
      }
    };
    return this.options.guard ? this.options.guard(operation, send) : send();
  }

  /** Cancel or delete a task. Resolves false when Runway no longer knows it (already deleted). */
  async deleteTask(taskId: string): Promise<boolean> {
    try {
      await this.call('DELETE', `/v1/tasks/${encodeURIComponent(taskId)}`, 'delete task', undefined);
      return true;
    } catch (error) {
      if (error instanceof RunwayHttpError && error.status === 404) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (!this.options.dispatcher) await this.dispatcher.close();
  }

  private call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    operation: string,
    schema: z.ZodType<T> | undefined,
    body?: unknown,
  ): Promise<T> {
    const send = () => this.send(method, path, operation, schema, body);
    return this.options.guard ? this.options.guard(operation, send) : send();
  }

  private async send<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    operation: string,
    schema: z.ZodType<T> | undefined,
    body?: unknown,
  ): Promise<T> {
    const response = await request(new URL(path, this.options.baseUrl), {
      method,
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${this.options.apiSecret}`,
        'x-runway-version': RUNWAY_API_VERSION,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) {
      throw new RunwayHttpError(response.statusCode, apiErrorText(text), parseRetryAfter(response.headers['retry-after']), operation);
    }
    if (!schema) return undefined as T;
    return parseBody(schema, text, operation);
  }
}

function apiErrorText(text: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 500) || 'no error text';
}

function parseBody<T>(schema: z.ZodType<T>, text: string, operation: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RunwayProtocolError(operation, '', 'not JSON');
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  throw new RunwayProtocolError(operation, field, `${issue?.message ?? 'invalid'} (got ${describeValue(json, issue?.path ?? [])})`);
}

/** The offending value, short, for the message: never a whole body (it may hold signed URLs). */
function describeValue(json: unknown, path: readonly PropertyKey[]): string {
  let value: unknown = json;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
}
