import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../../infra/ffmpeg';
import { SimulatorAdmin } from '../../simulator/admin-client';
import { startSimulator, type SimulatorHandle } from '../../simulator/server';

/** Helpers for the simulator's own tests: they reach it only over HTTP. */

export const API_SECRET = 'test_secret';
export const API_HEADERS = {
  Authorization: `Bearer ${API_SECRET}`,
  'X-Runway-Version': '2024-11-06',
  'Content-Type': 'application/json',
};

/** A 1×1 PNG. */
export const TINY_PNG_DATA_URI =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** 600 simulated seconds per real second: a 60 s generation takes 0.1 s. */
export const SUITE_TIME_SCALE = 600;

/**
 * A suite's simulator config: the test secret, a media cache of its own, fast time, one second pending, then
 * `generationSeconds` (simulated) running; `seed` keeps each suite's random draws its own.
 */
export function suiteConfig(seed: number, generationSeconds = 60) {
  return {
    apiSecret: API_SECRET,
    mediaCacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sim-media-')),
    timeScale: SUITE_TIME_SCALE,
    seed,
    pendingSeconds: 1,
    generationSeconds: { kind: 'fixed' as const, seconds: generationSeconds },
  };
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function callJson<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.headers ?? API_HEADERS,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The Runway API of a simulator at `baseUrl`, with the test secret. */
export function runwayApi(baseUrl: string) {
  return {
    create: (endpoint: 'image_to_video' | 'text_to_video' | 'text_to_speech', body: unknown) =>
      callJson(`${baseUrl}/v1/${endpoint}`, { body }),
    task: (id: string) => callJson(`${baseUrl}/v1/tasks/${id}`),
    remove: (id: string) => callJson(`${baseUrl}/v1/tasks/${id}`, { method: 'DELETE' }),
    organization: () => callJson(`${baseUrl}/v1/organization`),
  };
}

/**
 * The admin surface of a simulator at `baseUrl`, through the one admin client; `config` answers as the
 * simulator did (a refused config is a 400, not an error).
 */
export function simAdmin(baseUrl: string) {
  const admin = new SimulatorAdmin(`${baseUrl}/__sim`);
  return {
    reset: (config: Record<string, unknown>) => admin.reset(config),
    config: (partial: Record<string, unknown>) => admin.send('POST', '/config', partial),
    stats: () => admin.stats(),
    task: (id: string) => admin.task(id),
    resetUsage: () => admin.resetUsage(),
  };
}

/** Poll `read` until `done` holds (or fail after `timeoutMs`). */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const isFinished = (response: JsonResponse): boolean => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(String(response.body.status));

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A download over node:http that keeps whatever arrived even when the connection drops mid-body. */
export function rawDownload(url: string): Promise<{ status: number; contentLength: number; bytes: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      const finish = () =>
        resolve({
          status: response.statusCode ?? 0,
          contentLength: Number(response.headers['content-length']),
          bytes: Buffer.concat(chunks),
          complete: response.complete,
        });
      response.on('end', finish);
      response.on('aborted', finish);
      response.on('error', finish);
    });
    request.on('error', reject);
  });
}

/** Duration in seconds from the `mvhd` box inside the top-level `moov` box. */
export function mvhdDurationSeconds(mp4: Buffer): number {
  const moov = findBox(mp4, 0, mp4.length, 'moov');
  if (!moov) throw new Error('no moov box');
  const mvhd = findBox(mp4, moov.contentStart, moov.end, 'mvhd');
  if (!mvhd) throw new Error('no mvhd box');
  const version = mp4.readUInt8(mvhd.contentStart);
  const at = mvhd.contentStart + 4;
  if (version === 1) return Number(mp4.readBigUInt64BE(at + 20)) / mp4.readUInt32BE(at + 16);
  return mp4.readUInt32BE(at + 12) / mp4.readUInt32BE(at + 8);
}

export function topLevelBoxTypes(mp4: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 0; offset + 8 <= mp4.length;) {
    const box = boxAt(mp4, offset);
    types.push(box.type);
    if (box.end <= offset) break;
    offset = box.end;
  }
  return types;
}

function findBox(mp4: Buffer, start: number, end: number, type: string) {
  for (let offset = start; offset + 8 <= end;) {
    const box = boxAt(mp4, offset);
    if (box.type === type) return box;
    if (box.end <= offset) return undefined;
    offset = box.end;
  }
  return undefined;
}

function boxAt(mp4: Buffer, offset: number) {
  const size32 = mp4.readUInt32BE(offset);
  const type = mp4.toString('latin1', offset + 4, offset + 8);
  if (size32 === 1) return { type, contentStart: offset + 16, end: offset + Number(mp4.readBigUInt64BE(offset + 8)) };
  return { type, contentStart: offset + 8, end: size32 === 0 ? mp4.length : offset + size32 };
}

const run = promisify(execFile);

/** Decode every frame with ffmpeg: throws when the file is not a playable video; returns what ffmpeg saw. */
export async function decodeWithFfmpeg(bytes: Buffer): Promise<{ width: number; height: number; codec: string }> {
  const file = path.join(os.tmpdir(), `sim-check-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}.mp4`);
  fs.writeFileSync(file, bytes);
  try {
    const { stderr } = await run(ffmpegPath(), ['-hide_banner', '-v', 'info', '-xerror', '-i', file, '-f', 'null', '-']);
    const stream = /Stream #0:0.*Video: (\w+).*?, (\d+)x(\d+)/.exec(stderr);
    if (!stream) throw new Error(`no video stream in ffmpeg output:\n${stderr}`);
    return { codec: stream[1] ?? '', width: Number(stream[2]), height: Number(stream[3]) };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * A simulator of its own for one test file, started before its tests with `config` and closed after them
 * (its media cache dir removed): `suite.sim`, `suite.api`, `suite.admin` are set once it runs.
 */
export function simulatorForSuite(config: Record<string, unknown> & { mediaCacheDir: string }) {
  const suite = {} as { sim: SimulatorHandle; api: ReturnType<typeof runwayApi>; admin: ReturnType<typeof simAdmin> };
  beforeAll(async () => {
    suite.sim = await startSimulator({ ...config, port: 0 });
    suite.api = runwayApi(suite.sim.url);
    suite.admin = simAdmin(suite.sim.url);
  });
  afterAll(async () => {
    await suite.sim.close();
    fs.rmSync(config.mediaCacheDir, { recursive: true, force: true });
  });
  return suite;
}
