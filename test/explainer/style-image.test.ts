import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkStyleImage } from '../../client/explainer/style-image';
import { createSafeFetch, strictSafeFetch } from '../../infra/safe-fetch';
import { startHttpsServer, testServerCertificates, type TestHttpsServer } from '../helpers/https-server';

/**
 * The style reference image is checked before anything is spent: a local file that is not an image, an
 * https URL that answers something else or points into a private network — each an InputError naming
 * brief.styleImage.
 */
const projectRoot = path.resolve(__dirname, '../..');
const jpeg = fs.readFileSync(path.join(projectRoot, 'examples/assets/hero-product.jpg'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'style-image-'));
const certificates = testServerCertificates();
// Loopback stands in for a public host here; the strict fetch below shows the same URL refused by default.
const fetch = createSafeFetch({ ca: certificates.caPem, allowPrivate: ['127.0.0.0/8'] });
let server: TestHttpsServer;

beforeAll(async () => {
  fs.writeFileSync(path.join(dir, 'style.jpg'), jpeg);
  fs.writeFileSync(path.join(dir, 'notes.png'), 'these are notes, not a picture');
  server = await startHttpsServer(certificates.server, '127.0.0.1', (request, response) => {
    if (request.url === '/style.jpg') return response.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    if (request.url === '/fake.png') return response.writeHead(200, { 'content-type': 'image/png' }).end('<html>not an image</html>');
    if (request.url === '/page') return response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    response.writeHead(404).end();
  });
});
afterAll(async () => {
  await server.close();
  await fetch.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function refusal(source: string, using = fetch): Promise<string> {
  const error = await checkStyleImage(source, dir, using).then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  if (!error) throw new Error(`${source} was accepted`);
  expect(error.name).toBe('InputError');
  return error.message;
}

test('a local image or an https image is accepted as it is', async () => {
  await expect(checkStyleImage('style.jpg', dir, fetch)).resolves.toEqual({ kind: 'file', source: 'style.jpg' });
  await expect(checkStyleImage(`${server.origin}/style.jpg`, dir, fetch)).resolves.toEqual({
    kind: 'url',
    url: `${server.origin}/style.jpg`,
  });
});

test('a style image that is not an image is refused, naming brief.styleImage and why', async () => {
  expect(await refusal('notes.png')).toBe('brief.styleImage: notes.png is not a PNG, JPEG or WebP image');
  expect(await refusal('missing.png')).toBe('brief.styleImage: image file not found: missing.png');
  expect(await refusal(`${server.origin}/fake.png`)).toBe(`brief.styleImage: ${server.origin}/fake.png is not a PNG, JPEG or WebP image`);
  expect(await refusal(`${server.origin}/page`)).toMatch(/^brief\.styleImage: https:\/\/127\.0\.0\.1:\d+\/page: .*text\/html/);
  expect(await refusal(`${server.origin}/gone.png`)).toMatch(/answered HTTP 404, not an image$/);
  expect(await refusal('http://images.example.com/style.png')).toBe(
    'brief.styleImage: http://images.example.com/style.png: a style image is a local file or an https URL',
  );
});

test('an https style image in a private network is refused before any byte is fetched', async () => {
  const strict = strictSafeFetch();
  try {
    const before = server.seen.length;
    expect(await refusal(`${server.origin}/style.jpg`, strict)).toMatch(
      /^brief\.styleImage: https:\/\/127\.0\.0\.1:\d+\/style\.jpg: .*loopback/,
    );
    expect(server.seen.length).toBe(before);
  } finally {
    await strict.close();
  }
});
