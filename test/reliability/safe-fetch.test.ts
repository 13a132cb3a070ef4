import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { ApplicationFailure } from '@temporalio/common';
import { addressRefusal, createSafeFetch, type SafeFetch, type SafeFetchPolicy } from '../../infra/safe-fetch';
import { allowPrivateSchema } from '../../schemas/env';
import { FailureType } from '../../schemas';
import { startHttpsServer, testServerCertificates, type TestHttpsServer } from '../helpers/https-server';

const hero = fs.readFileSync(path.resolve(__dirname, '../../examples/assets/hero-product.jpg'));
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const certificates = testServerCertificates();

/** The server that must never be reached: a stand-in for anything on the worker's own network. */
let internal: TestHttpsServer;
/** A host the tests allow (127.0.0.2, by RUNWAY_REHOST_ALLOW_PRIVATE's list form) so its redirects can be followed. */
let allowed: TestHttpsServer;
/** A second allowed origin, to see which headers a redirect carries across origins. */
let otherOrigin: TestHttpsServer;
const fetchers: SafeFetch[] = [];

function fetcher(policy: SafeFetchPolicy = {}): SafeFetch {
  const created = createSafeFetch({ ca: certificates.caPem, ...policy });
  fetchers.push(created);
  return created;
}

/** A resolver answering fixed addresses: a public-looking name that points where the test says. */
function lookupAnswering(answers: Record<string, string[]>, calls: string[] = []): LookupFunction {
  return (hostname, _options, callback) => {
    calls.push(hostname);
    const addresses = answers[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    const list: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    (callback as unknown as (error: null, list: LookupAddress[]) => void)(null, list);
  };
}

function serveImage(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': hero.length });
  response.end(hero);
}

async function refusal(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect(error).toMatchObject({ type: FailureType.FetchRefused, nonRetryable: true });
  return error as ApplicationFailure;
}

beforeAll(async () => {
  internal = await startHttpsServer(certificates.server, '127.0.0.1', (_request, response) => serveImage(response));
  otherOrigin = await startHttpsServer(certificates.server, '127.0.0.2', (_request, response) => serveImage(response));
  allowed = await startHttpsServer(certificates.server, '127.0.0.2', (request, response, self) => {
    const redirect = (location: string) => {
      response.writeHead(302, { location });
      response.end();
    };
    const route = request.url ?? '';
    if (route === '/hero.jpg') return serveImage(response);
    if (route === '/to-loopback') return redirect(`${internal.origin}/hero.jpg`);
    if (route === '/to-localhost') return redirect(`https://localhost:${internal.port}/hero.jpg`);
    if (route === '/to-mapped') return redirect(`https://[::ffff:127.0.0.1]:${internal.port}/hero.jpg`);
    if (route === '/to-metadata') return redirect('https://169.254.169.254/latest/meta-data/iam/security-credentials/');
    if (route === '/to-metadata-name') return redirect(`https://metadata.example.com:${internal.port}/`);
    if (route === '/to-http') return redirect(`http://127.0.0.2:${self.port}/hero.jpg`);
    if (route === '/relative') return redirect('/hero.jpg');
    if (route === '/to-other-origin') return redirect(`${otherOrigin.origin}/hero.jpg`);
    if (route.startsWith('/loop/')) return redirect(`/loop/${Number(route.slice('/loop/'.length)) + 1}`);
    if (route === '/page') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end('<html>not an image</html>');
    }
    if (route === '/huge') {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 500 * 1024 * 1024 });
      return response.end();
    }
    if (route === '/endless') {
      // No Content-Length: only counting the bytes stops it.
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const write = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', write);
      };
      return write();
    }
    if (route === '/webhook') return redirect(`${otherOrigin.origin}/webhook`);
    response.writeHead(404);
    response.end();
  });
});

afterEach(() => {
  internal.seen.length = 0;
});

afterAll(async () => {
  await Promise.all(fetchers.map((created) => created.close()));
  await Promise.all([internal?.close(), allowed?.close(), otherOrigin?.close()]);
});

describe('address classification (ipaddr.js ranges)', () => {
  test.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.1.2.3', /private address \(RFC 1918\)/],
    ['172.16.0.1', /RFC 1918/],
    ['172.31.255.255', /RFC 1918/],
    ['192.168.1.1', /RFC 1918/],
    ['169.254.169.254', /link-local.*169\.254\.169\.254/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['255.255.255.255', /broadcast/],
    ['224.0.0.1', /multicast/],
    ['192.0.2.10', /special-purpose/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fc00::1', /unique-local/],
    ['fd12:3456::1', /unique-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv6 form of 127\.0\.0\.1, a loopback/],
    ['::ffff:a00:1', /IPv6 form of 10\.0\.0\.1, a private/],
    ['::ffff:169.254.169.254', /IPv6 form of 169\.254\.169\.254, a link-local/],
    ['64:ff9b::7f00:1', /IPv6 form of 127\.0\.0\.1/],
    ['::7f00:1', /outside IPv6 global unicast/],
    ['2002:7f00:1::1', /special-purpose address \(6to4\)/],
    ['not-an-address', /not an IP address/],
  ])('%s is refused (%s)', (address, reason) => {
    expect(addressRefusal(address)).toMatch(reason);
  });

  test.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is a public address',
    (address) => {
      expect(addressRefusal(address)).toBe('');
    },
  );
});

describe('RUNWAY_REHOST_ALLOW_PRIVATE', () => {
  test('unset, empty, 0 or false: nothing private; 1 or true: everything; else a list of addresses and ranges', () => {
    for (const off of [undefined, '', ' ', '0', 'false']) expect(allowPrivateSchema.parse(off)).toBe(false);
    for (const on of ['1', 'true']) expect(allowPrivateSchema.parse(on)).toBe(true);
    expect(allowPrivateSchema.parse('10.20.0.0/16, fd00:1::/48,192.168.1.7')).toEqual(['10.20.0.0/16', 'fd00:1::/48', '192.168.1.7']);
  });

  test('an entry that is no address or range is named', () => {
    const parsed = allowPrivateSchema.safeParse('10.0.0.0/8,intranet');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/"intranet" is not an address or CIDR range/);
  });
});

describe('safeFetch against local HTTPS servers', () => {
  test('an address literal on loopback is refused before any connection', async () => {
    const error = await refusal(fetcher()(`${internal.origin}/hero.jpg`, { maxBytes: 1e6 }));
    expect(error.message).toBe(
      `refused to fetch ${internal.origin}: 127.0.0.1 is a loopback address; set RUNWAY_REHOST_ALLOW_PRIVATE to let the worker fetch from private networks`,
    );
    expect(internal.seen).toHaveLength(0);
  });

  test('the cloud metadata address and an IPv4-mapped loopback are refused', async () => {
    const safeFetch = fetcher();
    expect((await refusal(safeFetch('https://169.254.169.254/latest/meta-data/', { maxBytes: 1e6 }))).message).toMatch(
      /^refused to fetch https:\/\/169\.254\.169\.254: 169\.254\.169\.254 is a link-local address/,
    );
    expect((await refusal(safeFetch(`https://[::ffff:127.0.0.1]:${internal.port}/`, { maxBytes: 1e6 }))).message).toMatch(
      /::ffff:7f00:1 is the IPv6 form of 127\.0\.0\.1, a loopback address/,
    );
    expect(internal.seen).toHaveLength(0);
  });

  test('a name resolving to loopback (localhost, by the system resolver) is refused at connect', async () => {
    const error = await refusal(fetcher()(`https://localhost:${internal.port}/hero.jpg`, { maxBytes: 1e6 }));
    expect(error.message).toMatch(
      new RegExp(`^refused to fetch https://localhost:${internal.port}: localhost resolves to (127\\.0\\.0\\.1|::1), a loopback address`),
    );
    expect(internal.seen).toHaveLength(0);
  });

  test('a public-looking name that resolves to a private address is refused; with the allow flag it is fetched from the address checked', async () => {
    const calls: string[] = [];
    const lookup = lookupAnswering({ 'images.example.com': ['127.0.0.1'] }, calls);
    const url = `https://images.example.com:${internal.port}/hero.jpg`;
    const error = await refusal(fetcher({ lookup })(url, { maxBytes: 1e6 }));
    expect(error.message).toMatch(/images\.example\.com resolves to 127\.0\.0\.1, a loopback address/);
    expect(internal.seen).toHaveLength(0);

    const response = await fetcher({ lookup, allowPrivate: true })(url, { maxBytes: 1e6, allowedTypes: IMAGE_TYPES });
    expect(response).toMatchObject({ status: 200, contentType: 'image/jpeg', contentLength: hero.length, url });
    expect(Buffer.from(await response.body.toArray().then((chunks) => Buffer.concat(chunks)))).toEqual(hero);
    // One lookup per connection: the address checked is the one connected to (no second resolution to rebind).
    expect(calls).toEqual(['images.example.com', 'images.example.com']);
    expect(internal.seen).toEqual([
      expect.objectContaining({ path: '/hero.jpg', headers: expect.objectContaining({ host: `images.example.com:${internal.port}` }) }),
    ]);
  });

  test("one refused address among a name's answers refuses the name", async () => {
    const lookup = lookupAnswering({ 'images.example.com': ['127.0.0.2', '10.0.0.7'] });
    const error = await refusal(
      fetcher({ lookup, allowPrivate: ['127.0.0.2'] })(`https://images.example.com:${allowed.port}/hero.jpg`, { maxBytes: 1e6 }),
    );
    expect(error.message).toMatch(/images\.example\.com resolves to 10\.0\.0\.7, a private address \(RFC 1918\)/);
    expect(allowed.seen).toHaveLength(0);
  });

  test('an allowed host is fetched; its redirect into 127.0.0.1 is refused and 127.0.0.1 never reached', async () => {
    const safeFetch = fetcher({ allowPrivate: ['127.0.0.2/32'] });
    const direct = await safeFetch(`${allowed.origin}/hero.jpg`, { maxBytes: 1e6, allowedTypes: IMAGE_TYPES });
    expect(direct.status).toBe(200);
    direct.body.resume();

    const error = await refusal(safeFetch(`${allowed.origin}/to-loopback`, { maxBytes: 1e6 }));
    expect(error.message).toBe(
      `refused to fetch ${internal.origin} (redirected from ${allowed.origin}): 127.0.0.1 is a loopback address; set RUNWAY_REHOST_ALLOW_PRIVATE to let the worker fetch from private networks`,
    );
    expect(internal.seen).toHaveLength(0);
  });

  test.each([
    ['/to-localhost', /^refused to fetch https:\/\/localhost:\d+ \(redirected from https:\/\/127\.0\.0\.2:\d+\): localhost resolves to/],
    ['/to-mapped', /IPv6 form of 127\.0\.0\.1, a loopback address/],
    ['/to-metadata', /^refused to fetch https:\/\/169\.254\.169\.254 \(redirected from .*\): 169\.254\.169\.254 is a link-local address/],
    ['/to-metadata-name', /metadata\.example\.com resolves to 169\.254\.169\.254, a link-local address/],
    ['/to-http', /^refused to fetch http:\/\/127\.0\.0\.2:\d+ \(redirected from .*\): only https URLs are fetched$/],
    ['/loop/0', /it redirected more than 5 times/],
  ])('a redirect %s is refused', async (route, message) => {
    const lookup = lookupAnswering({ 'metadata.example.com': ['169.254.169.254'], localhost: ['127.0.0.1'] });
    const error = await refusal(fetcher({ allowPrivate: ['127.0.0.2'], lookup })(`${allowed.origin}${route}`, { maxBytes: 1e6 }));
    expect(error.message).toMatch(message);
    expect(internal.seen).toHaveLength(0);
  });

  test('a relative redirect is followed; a redirect to another origin drops the headers meant for the first', async () => {
    const safeFetch = fetcher({ allowPrivate: ['127.0.0.2'] });
    const relative = await safeFetch(`${allowed.origin}/relative`, { maxBytes: 1e6, allowedTypes: IMAGE_TYPES });
    expect(relative).toMatchObject({ status: 200, url: `${allowed.origin}/hero.jpg` });
    relative.body.resume();

    const moved = await safeFetch(`${allowed.origin}/to-other-origin`, {
      maxBytes: 1e6,
      headers: { authorization: 'Bearer user-token', accept: 'image/*' },
    });
    expect(moved).toMatchObject({ status: 200, url: `${otherOrigin.origin}/hero.jpg` });
    moved.body.resume();
    const [arrived] = otherOrigin.seen.slice(-1);
    expect(arrived?.headers.authorization).toBeUndefined();
    expect(arrived?.headers.accept).toBe('image/*');
  });

  test('a POST is never re-sent to where a redirect points: the redirect comes back as the answer', async () => {
    const before = otherOrigin.seen.length;
    const response = await fetcher({ allowPrivate: ['127.0.0.2'] })(`${allowed.origin}/webhook`, {
      method: 'POST',
      body: '{"event":"done"}',
      headers: { 'content-type': 'application/json' },
      maxBytes: 1e6,
    });
    expect(response.status).toBe(302);
    response.body.resume();
    expect(otherOrigin.seen.length).toBe(before);
  });

  test('plain http is refused without a connection', async () => {
    const error = await refusal(fetcher({ allowPrivate: true })(`http://127.0.0.2:${allowed.port}/hero.jpg`, { maxBytes: 1e6 }));
    expect(error.message).toBe(`refused to fetch http://127.0.0.2:${allowed.port}: only https URLs are fetched`);
  });

  test('size and type limits: a declared size over the limit, an endless body, a page where an image was expected', async () => {
    const safeFetch = fetcher({ allowPrivate: ['127.0.0.2'] });
    expect((await refusal(safeFetch(`${allowed.origin}/huge`, { maxBytes: 200 * 1024 * 1024 }))).message).toMatch(
      /it answered 524288000 bytes; at most 209715200 are accepted$/,
    );
    expect((await refusal(safeFetch(`${allowed.origin}/page`, { maxBytes: 1e6, allowedTypes: IMAGE_TYPES }))).message).toMatch(
      /it answered text\/html; accepted: image\/png, image\/jpeg, image\/webp$/,
    );
    const endless = await safeFetch(`${allowed.origin}/endless`, { maxBytes: 1024 * 1024 });
    expect(endless.contentLength).toBeUndefined();
    const error = await refusal(text(endless.body));
    expect(error.message).toMatch(/its answer passed 1048576 bytes$/);
  });

  test('the refusal names the origin only: a path or query (a signature, a token) stays out of the message', async () => {
    const error = await refusal(fetcher()(`${internal.origin}/private/hero.jpg?X-Amz-Signature=abc123&token=secret`, { maxBytes: 1e6 }));
    expect(error.message).not.toMatch(/abc123|secret|private\/hero/);
  });

  test('certificates are verified: a server the fetcher has no CA for fails the TLS handshake', async () => {
    const untrusting = createSafeFetch({ allowPrivate: true });
    fetchers.push(untrusting);
    await expect(untrusting(`${allowed.origin}/hero.jpg`, { maxBytes: 1e6 })).rejects.toThrow(/certificate/);
  });
});
