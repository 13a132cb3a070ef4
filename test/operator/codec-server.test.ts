import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { codecServerOptionsFromEnv, startCodecServer } from '../../infra/codec-server';
import { AesGcmPayloadCodec, codecKeysFromEnv, generateCodecKeyEntry } from '../../infra/payload-codec';
import { loadOrCreateSecrets, secretsFile } from '../../stack/persistent-secrets';
import { testStack } from '../helpers/stack';

/** The codec server the test stack started (a managed process, as `npm run stack` runs it). */
const stackCodec = () => {
  const { env, temporalUiUrl } = testStack();
  return { url: env.CODEC_SERVER_URL, token: env.CODEC_SERVER_TOKEN, keys: env.PAYLOAD_CODEC_KEYS, uiOrigin: temporalUiUrl };
};

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});
const fromJson = (payload: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(payload.data ?? '', 'base64'),
});
const metadataText = (payload: JsonPayload, key: string) => Buffer.from(payload.metadata?.[key] ?? '', 'base64').toString('utf8');

async function post(url: string, payloads: JsonPayload[], headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': testStack().namespace, ...headers },
    body: JSON.stringify({ payloads }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as { payloads?: JsonPayload[] }) : {} };
}

const prompt = 'A secret product reveal: the orange phone rises out of the sea at dawn';

test('the stack started the codec server with its key in stack.env: /encode then /decode round-trips, with the token as bearer or as path segment', async () => {
  const { url, token, keys } = stackCodec();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: keys })?.primary).toMatch(/^stack-/);
  const plain = [defaultPayloadConverter.toPayload({ promptText: prompt }), defaultPayloadConverter.toPayload(42)].map(toJson);

  const encoded = await post(`${url}/encode`, plain, { authorization: `Bearer ${token}` });
  expect(encoded.status).toBe(200);
  expect(encoded.body.payloads).toHaveLength(2);
  expect(encoded.text).not.toContain('orange phone');
  expect(Buffer.from(encoded.body.payloads![0]!.data!, 'base64').toString('latin1')).not.toContain('orange phone');
  for (const payload of encoded.body.payloads!) expect(metadataText(payload, 'encoding')).toBe('binary/encrypted');

  // The form the Web UI is configured with: the endpoint `<url>/<token>`, to which it appends /decode.
  const decoded = await post(`${url}/${token}/decode`, encoded.body.payloads!);
  expect(decoded.status).toBe(200);
  const values = decoded.body.payloads!.map((payload) => defaultPayloadConverter.fromPayload(fromJson(payload)));
  expect(values).toEqual([{ promptText: prompt }, 42]);

  // What the stack's worker and client encrypt with (the key in stack.env) is what the server decrypts.
  const byClient = await new AesGcmPayloadCodec(codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: keys })!).encode([
    defaultPayloadConverter.toPayload(prompt),
  ]);
  const viaServer = await post(`${url}/decode`, byClient.map(toJson), { authorization: `Bearer ${token}` });
  expect(defaultPayloadConverter.fromPayload(fromJson(viaServer.body.payloads![0]!))).toBe(prompt);
});

test('a request without the token, or with a wrong one, is refused 401 and learns nothing', async () => {
  const { url, token } = stackCodec();
  const encoded = await post(`${url}/encode`, [toJson(defaultPayloadConverter.toPayload(prompt))], { authorization: `Bearer ${token}` });
  const sealed = encoded.body.payloads!;
  const wrong = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
  const refused = [
    await post(`${url}/decode`, sealed),
    await post(`${url}/encode`, [toJson(defaultPayloadConverter.toPayload('x'))]),
    await post(`${url}/decode`, sealed, { authorization: `Bearer ${wrong}` }),
    await post(`${url}/decode`, sealed, { authorization: token }), // not a bearer credential
    await post(`${url}/${wrong}/decode`, sealed),
    await post(`${url}/${wrong}/decode`, sealed, { authorization: 'Bearer nope' }),
  ];
  for (const response of refused) {
    expect(response.status).toBe(401);
    expect(response.text).not.toContain('orange phone');
    expect(response.body.payloads).toBeUndefined();
  }
});

test('CORS: a preflight from the Web UI origin is answered with the headers the UI sends; another origin is not allowed', async () => {
  const { url, token, uiOrigin } = stackCodec();
  const preflight = (origin: string) =>
    fetch(`${url}/${token}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
    });

  const allowed = await preflight(uiOrigin);
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
  const allowedHeaders = (allowed.headers.get('access-control-allow-headers') ?? '').split(',').map((name) => name.trim().toLowerCase());
  expect(allowedHeaders).toEqual(expect.arrayContaining(['content-type', 'x-namespace', 'authorization']));
  expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

  // The actual request from the UI's origin carries the allow-origin header too (else the browser drops the answer).
  const fromUi = await post(`${url}/${token}/encode`, [toJson(defaultPayloadConverter.toPayload('x'))], { origin: uiOrigin });
  expect(fromUi.status).toBe(200);
  expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);

  const other = await preflight('http://evil.example');
  expect(other.status).toBe(403);
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  // Even with the token, a page of another origin gets nothing it may read.
  const fromOther = await post(`${url}/${token}/encode`, [toJson(defaultPayloadConverter.toPayload('x'))], {
    origin: 'http://evil.example',
  });
  expect(fromOther.status).toBe(403);
  expect(fromOther.headers.get('access-control-allow-origin')).toBeNull();
  expect(fromOther.body.payloads).toBeUndefined();
});

test('rotation: a payload encrypted under an old key decodes while that key is still listed, and is refused once it is dropped', async () => {
  const oldEntry = generateCodecKeyEntry('2025-old');
  const newEntry = generateCodecKeyEntry('2026-new');
  const oldCodec = new AesGcmPayloadCodec(codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: oldEntry })!);
  const sealed = (await oldCodec.encode([defaultPayloadConverter.toPayload(prompt)])).map(toJson);
  expect(metadataText(sealed[0]!, 'encryption-key-id')).toBe('2025-old');
  const token = 'rotation-test-token-0123456789';

  const serve = async (keys: string) =>
    startCodecServer({
      ...codecServerOptionsFromEnv({ PAYLOAD_CODEC_KEYS: keys, CODEC_SERVER_TOKEN: token, CODEC_SERVER_PORT: '0' }),
    });
  const rotated = await serve(`${newEntry},${oldEntry}`);
  try {
    const decoded = await post(`${rotated.url}/decode`, sealed, { authorization: `Bearer ${token}` });
    expect(decoded.status).toBe(200);
    expect(defaultPayloadConverter.fromPayload(fromJson(decoded.body.payloads![0]!))).toBe(prompt);
    // The new primary encrypts.
    const encoded = await post(`${rotated.url}/encode`, [toJson(defaultPayloadConverter.toPayload(prompt))], {
      authorization: `Bearer ${token}`,
    });
    expect(metadataText(encoded.body.payloads![0]!, 'encryption-key-id')).toBe('2026-new');
  } finally {
    await rotated.close();
  }

  const dropped = await serve(newEntry);
  try {
    const refused = await post(`${dropped.url}/decode`, sealed, { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('2025-old');
    expect(refused.text).not.toContain('orange phone');
  } finally {
    await dropped.close();
  }
});

test('bodies are bounded and must be the codec JSON', async () => {
  const { url, token } = stackCodec();
  const auth = { authorization: `Bearer ${token}` };
  const huge = await fetch(`${url}/decode`, { method: 'POST', headers: auth, body: 'x'.repeat(5 * 1024 * 1024) });
  expect(huge.status).toBe(413);
  const notJson = await fetch(`${url}/decode`, { method: 'POST', headers: auth, body: 'payloads' });
  expect(notJson.status).toBe(400);
  const wrongShape = await fetch(`${url}/decode`, { method: 'POST', headers: auth, body: JSON.stringify({ payload: [] }) });
  expect(wrongShape.status).toBe(400);
  const get = await fetch(`${url}/decode`, { headers: auth });
  expect(get.status).toBe(405);
});

test("the stack's codec key and token are generated once and kept: a data dir from before them gets them added, its other secrets untouched", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-codec-secrets-'));
  try {
    const older = { s3AccessKeyId: 'stack-abc', s3SecretAccessKey: 'old-secret-key', simulatorApiSecret: 'key_sim_old_secret' };
    fs.writeFileSync(secretsFile(dataDir), JSON.stringify(older));
    const first = loadOrCreateSecrets(dataDir);
    expect(first).toMatchObject(older);
    expect(codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: first.payloadCodecKeys })?.keys.size).toBe(1);
    expect(first.codecServerToken.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(secretsFile(dataDir)).mode & 0o077).toBe(0);
    // The next start reads the same ones: the encrypted history stays readable across restarts.
    expect(loadOrCreateSecrets(dataDir)).toEqual(first);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
