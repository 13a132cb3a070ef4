import fs from 'node:fs';
import path from 'node:path';
import RunwayML, { toFile } from '@runwayml/sdk';
import { request } from 'undici';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';

/** The official client, pointed at the simulator: its upload must work against the simulator as against Runway. */
function officialClient(): RunwayML {
  return new RunwayML({ apiKey: testStack().runwayApiSecret, baseURL: testStack().runwayBaseUrl, maxRetries: 0 });
}

const hero = fs.readFileSync(path.resolve(__dirname, '../../examples/assets/hero-product.jpg'));
const apiHeaders = () => ({
  authorization: `Bearer ${testStack().runwayApiSecret}`,
  'x-runway-version': '2024-11-06',
  'content-type': 'application/json',
});

beforeEach(async () => {
  await resetSimulator();
});

test('uploads.createEphemeral({file}) returns a runway:// URI that imageToVideo.create accepts and runs to SUCCEEDED', async () => {
  const client = officialClient();
  const { uri } = await client.uploads.createEphemeral({ file: await toFile(hero, 'hero-product.jpg', { type: 'image/jpeg' }) });
  expect(uri).toMatch(/^runway:\/\//);
  const task = await client.imageToVideo
    .create({ model: 'gen4_turbo', promptImage: uri, promptText: 'The product turns', ratio: '1280:720', duration: 5 })
    .waitForTaskOutput({ timeout: 60_000 });
  expect(task.status).toBe('SUCCEEDED');
  const stats = await simulatorStats();
  expect(stats.uploads).toMatchObject({ issued: 1, completed: 1, bytes: hero.length });
  expect(stats.uploads.usesByUri[uri]).toBe(1);
}, 60_000);

test('POST /v1/uploads needs the API key and a valid filename and type; the form needs its signed policy, a file of the declared type', async () => {
  const base = testStack().runwayBaseUrl;
  const post = (body: unknown, headers: Record<string, string> = apiHeaders()) =>
    request(`${base}/v1/uploads`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect((await post({ filename: 'a.jpg', type: 'ephemeral' }, { 'content-type': 'application/json' })).statusCode).toBe(401);
  expect((await post({ filename: 'a.jpg', type: 'permanent' })).statusCode).toBe(400);
  expect((await post({ filename: '', type: 'ephemeral' })).statusCode).toBe(400);
  expect((await post({ filename: 'a.exe', type: 'ephemeral' })).statusCode).toBe(400);

  const issued = await post({ filename: 'hero.jpg', type: 'ephemeral' });
  expect(issued.statusCode).toBe(200);
  const slot = (await issued.body.json()) as { uploadUrl: string; fields: Record<string, string>; runwayUri: string };
  expect(new URL(slot.uploadUrl).origin).toBe(new URL(base).origin);
  const form = (fields: Record<string, string>, file?: Buffer) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(fields)) data.append(key, value);
    if (file) data.append('file', new Blob([file]), 'hero.jpg');
    return fetch(slot.uploadUrl, { method: 'POST', body: data });
  };
  expect((await form({ ...slot.fields, signature: '0'.repeat(64) }, hero)).status).toBe(403);
  expect((await form(slot.fields)).status).toBe(400);
  expect((await form(slot.fields, Buffer.from('not an image at all'))).status).toBe(400);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
  expect((await form(slot.fields, png)).status).toBe(400);
  expect((await form(slot.fields, hero)).status).toBe(204);
  expect((await form(slot.fields, hero)).status).toBe(409);
  const stats = await simulatorStats();
  expect(stats.uploads).toMatchObject({ issued: 1, completed: 1, rejected: 5 });
}, 60_000);
