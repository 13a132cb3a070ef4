import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Offline machines and CI without internet must fall through to the next source quickly, not hang on a dead host. */
export const defaultConnectTimeoutMs = 5_000;
/** The largest download (a ~50 MB wheel) over a link too slow to fetch it in this time is slower than building it. */
export const defaultTotalTimeoutMs = 180_000;

export interface Timeouts {
  /** Reaching the host and its response headers. */
  connectMs: number;
  /** The whole body. */
  totalMs: number;
}

export function timeoutsOf(request: { connectTimeoutMs?: number; totalTimeoutMs?: number }): Timeouts {
  return { connectMs: request.connectTimeoutMs ?? defaultConnectTimeoutMs, totalMs: request.totalTimeoutMs ?? defaultTotalTimeoutMs };
}

/** What a source served does not match its own checksum, or is not the pinned tool: never installed, whatever the fallback. */
export class DownloadIntegrityError extends Error {
  override name = 'DownloadIntegrityError';
}

export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`GET ${url}: HTTP ${status}`);
  }
}

/** Where a downloaded binary goes, and how patient to be. */
export interface DownloadRequest<Spec> {
  spec: Spec;
  /** Final path of the binary; written atomically (a partial file renamed into place). */
  destination: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
}

export type DownloadResult = { installed: true; url: string } | { installed: false; reason: string };

/** The body of a GET, refused past `maxBytes`; network errors name the URL and their cause. */
export async function fetchBytes(url: string, timeouts: Timeouts, maxBytes: number): Promise<Buffer> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(new Error(`GET ${url}: no answer within ${timeouts.connectMs} ms`)), timeouts.connectMs);
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`GET ${url}: not complete within ${timeouts.totalMs} ms`)), timeouts.totalMs);
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new HttpStatusError(url, response.status);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        controller.abort();
        throw new Error(`GET ${url}: larger than ${maxBytes} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
    // undici's "fetch failed" hides the reason (refused, unknown host…) in its cause.
    const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause?.message;
    throw typeof cause === 'string' ? new Error(`GET ${url}: ${cause}`) : error;
  } finally {
    clearTimeout(timer);
  }
}

/** How a downloaded binary proves it is the pinned tool: `<binary> ...args` prints `expect`. */
export interface VersionCheck {
  args: readonly string[];
  expect: string;
}

/**
 * Written beside the destination, proved to run and to be the pinned version, then renamed: a reader sees the
 * old state or a working binary, never a half-written file.
 */
export async function installVerifiedBinary(
  binary: Buffer,
  destination: string,
  check: VersionCheck = { args: ['--version'], expect: '' },
): Promise<void> {
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  const partial = `${destination}.partial-${process.pid}`;
  try {
    fs.writeFileSync(partial, binary, { mode: 0o755 });
    await provesVersion(partial, check);
    fs.renameSync(partial, destination);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

function provesVersion(binary: string, check: VersionCheck): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, [...check.args], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new DownloadIntegrityError(`the downloaded binary does not run: ${error.message}`));
      const printed = `${stdout}${stderr}`;
      if (!printed.includes(check.expect))
        return reject(
          new DownloadIntegrityError(
            `the downloaded binary is not the pinned version: \`${check.args.join(' ')}\` printed ${JSON.stringify(printed.trim().slice(0, 200))}`,
          ),
        );
      resolve();
    });
  });
}
