import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import yauzl from 'yauzl';

/**
 * A test LMS on loopback: its page installs the maintained scorm-again SCORM 1.2 runtime as window.API
 * (as an LMS's player frame does) and launches a package's SCO in an iframe; the package is served
 * straight from its zip as read back by yauzl, so what runs is exactly what the zip holds. Every API
 * call the SCO makes is recorded in window.lmsCalls.
 */
export interface TestLms {
  url: string;
  /** The LMS page that launches `launch` (a path inside the package); `cmi` seeds the learner's record. */
  launchUrl(launch: string, cmi?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Every entry of a zip, read with yauzl (which refuses a malformed archive). */
export async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true });
  const entries = new Map<string, Buffer>();
  try {
    for await (const entry of zip.eachEntry()) {
      const stream = await zip.openReadStreamPromise(entry);
      const parts: Buffer[] = [];
      for await (const part of stream) parts.push(part as Buffer);
      entries.set(entry.fileName, Buffer.concat(parts));
    }
  } finally {
    zip.close();
  }
  return entries;
}

const RUNTIME = readFileSync(require.resolve('scorm-again/scorm12'));

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mp4: 'video/mp4',
  vtt: 'text/vtt; charset=utf-8',
  xml: 'application/xml',
};

function lmsPage(launch: string, cmi: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Test LMS</title><script src="/scorm-again/scorm12.js"></script></head>
<body>
<script>
  window.lmsCalls = [];
  window.API = new Scorm12API({ autocommit: false, lmsCommitUrl: false, logLevel: 5 });
  const seed = ${cmi};
  if (seed) window.API.loadFromJSON(seed);
  for (const name of ['LMSInitialize', 'LMSSetValue', 'LMSCommit', 'LMSFinish']) {
    window.API.on(name, (element, value) => window.lmsCalls.push({ name, element, value }));
  }
</script>
<iframe id="sco" src="/package/${launch}" width="1000" height="700"></iframe>
</body></html>`;
}

export async function startTestLms(entries: Map<string, Buffer>): Promise<TestLms> {
  const seeds = new Map<string, string>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/lms.html') {
      response.writeHead(200, { 'content-type': CONTENT_TYPES.html! });
      return response.end(lmsPage(url.searchParams.get('launch') ?? 'index.html', seeds.get(url.searchParams.get('seed') ?? '') ?? 'null'));
    }
    if (url.pathname === '/scorm-again/scorm12.js') {
      response.writeHead(200, { 'content-type': CONTENT_TYPES.js! });
      return response.end(RUNTIME);
    }
    const name = decodeURIComponent(url.pathname.replace(/^\/package\//, ''));
    const body = url.pathname.startsWith('/package/') ? entries.get(name) : undefined;
    if (!body) {
      response.writeHead(404);
      return response.end();
    }
    const type = CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
    // A video element seeks by ranges; a server that ignores them leaves Chromium unable to seek.
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    if (range) {
      const start = range[1] === '' ? body.length - Number(range[2]) : Number(range[1]);
      const end = range[1] !== '' && range[2] !== '' ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      response.writeHead(206, {
        'content-type': type,
        'accept-ranges': 'bytes',
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': end - start + 1,
      });
      return response.end(body.subarray(start, end + 1));
    }
    response.writeHead(200, { 'content-type': type, 'accept-ranges': 'bytes', 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    launchUrl(launch, cmi) {
      const params = new URLSearchParams({ launch });
      if (cmi) {
        const seed = String(seeds.size + 1);
        seeds.set(seed, JSON.stringify(cmi));
        params.set('seed', seed);
      }
      return `${url}/lms.html?${params}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
