import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { extractTarGzEntry } from '../../stack/release-download';
import { temporalCliSpec } from '../../stack/tool-specs';
import { ensureTool, ToolUnavailableError } from '../../stack/tools';

// The selection order of stack/tools.ts against a local HTTP server standing in for the release host,
// and a fake `go` that "builds" a script, so no test here touches the network or really builds anything.

const release = temporalCliSpec.release!;
const archiveName = release.archiveName(
  release.version,
  process.platform === 'darwin' ? 'darwin' : 'linux',
  process.arch === 'arm64' ? 'arm64' : 'amd64',
);
const archivePath = `/v${release.version}/${archiveName}`;
const checksumsPath = `/v${release.version}/checksums.txt`;
const DOWNLOADED = 'temporal version 0.0.0-from-release-archive';
const BUILT = 'temporal version 0.0.0-from-fake-go';

let root: string;
let archive: Buffer;
let server: http.Server;
let serverUrl: string;
let silentServer: http.Server;
let silentUrl: string;
let closedUrl: string;
const hits = new Map<string, number>();
let servedChecksum: () => string;

function script(filePath: string, body: string): string {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return filePath;
}

function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const created = http.createServer(handler);
  return new Promise((resolve) =>
    created.listen(0, '127.0.0.1', () => resolve({ server: created, url: `http://127.0.0.1:${(created.address() as AddressInfo).port}` })),
  );
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'install-tools-'));
  // A release archive shaped like goreleaser's: the binary and LICENSE at the top level.
  const staging = path.join(root, 'staging');
  script(path.join(staging, 'temporal'), `echo '${DOWNLOADED}'`);
  fs.writeFileSync(path.join(staging, 'LICENSE'), 'MIT\n');
  execFileSync('tar', ['-czf', path.join(root, archiveName), '-C', staging, 'LICENSE', 'temporal']);
  archive = fs.readFileSync(path.join(root, archiveName));

  ({ server, url: serverUrl } = await listen((request, response) => {
    hits.set(request.url ?? '', (hits.get(request.url ?? '') ?? 0) + 1);
    if (request.url === archivePath) return response.end(archive);
    if (request.url === checksumsPath)
      return response.end(`${'0'.repeat(64)}  temporal_cli_${release.version}_windows_amd64.zip\n${servedChecksum()}  ${archiveName}\n`);
    response.statusCode = 404;
    response.end();
  }));
  // Accepts connections and never answers: a firewalled release host.
  ({ server: silentServer, url: silentUrl } = await listen(() => undefined));
  const closed = await listen(() => undefined);
  closedUrl = closed.url;
  await new Promise((resolve) => closed.server.close(resolve));
});

afterAll(async () => {
  silentServer.closeAllConnections();
  await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => silentServer.close(resolve))]);
  fs.rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  hits.clear();
  servedChecksum = () => createHash('sha256').update(archive).digest('hex');
});

let caseNumber = 0;

/** A fresh machine: empty cache and project bin, a PATH holding only a fake `go` that records its calls. */
function freshMachine(releaseUrl: string) {
  const dir = path.join(root, `case-${++caseNumber}`);
  const pathDir = path.join(dir, 'path');
  const goCalls = path.join(dir, 'go-calls.txt');
  script(
    path.join(pathDir, 'go'),
    `echo "$@" >> '${goCalls}'\nprintf '#!/bin/sh\\necho "${BUILT}"\\n' > "$GOBIN/temporal"\n/bin/chmod 755 "$GOBIN/temporal"`,
  );
  const env: NodeJS.ProcessEnv = {
    PATH: pathDir,
    HOME: dir,
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    TEMPORAL_CLI_RELEASE_URL: releaseUrl,
  };
  const cachedBinary = path.join(dir, 'cache', 'runway-temporal', 'bin', 'temporal');
  const lines: string[] = [];
  const options = {
    env,
    projectBinDir: path.join(dir, 'project-bin'),
    log: (line: string) => lines.push(line),
    downloadConnectTimeoutMs: 1_000,
  };
  return {
    dir,
    pathDir,
    env,
    cachedBinary,
    lines,
    ensure: () => ensureTool(temporalCliSpec, options),
    goCalls: () => (fs.existsSync(goCalls) ? fs.readFileSync(goCalls, 'utf8').trim().split('\n') : []),
  };
}

const run = (binary: string) => execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();

describe('Temporal CLI selection order: override, PATH, .tools/bin and cache, release download, go install', () => {
  test('an explicit TEMPORAL_CLI_PATH wins over PATH and the cache', async () => {
    const machine = freshMachine(serverUrl);
    script(path.join(machine.pathDir, 'temporal'), 'echo on-path');
    script(machine.cachedBinary, 'echo cached');
    const override = script(path.join(machine.dir, 'elsewhere', 'temporal'), 'echo override');
    machine.env.TEMPORAL_CLI_PATH = override;
    expect(await machine.ensure()).toBe(override);
    machine.env.TEMPORAL_CLI_PATH = path.join(machine.dir, 'missing', 'temporal');
    await expect(machine.ensure()).rejects.toThrow(ToolUnavailableError);
    expect(hits.size).toBe(0);
    expect(machine.goCalls()).toEqual([]);
  });

  test('a temporal on PATH wins over the cache and the network', async () => {
    const machine = freshMachine(serverUrl);
    const onPath = script(path.join(machine.pathDir, 'temporal'), 'echo on-path');
    script(machine.cachedBinary, 'echo cached');
    expect(await machine.ensure()).toBe(onPath);
    expect(hits.size).toBe(0);
    expect(machine.goCalls()).toEqual([]);
  });

  test('a cached binary is used without touching the network', async () => {
    const machine = freshMachine(closedUrl);
    script(machine.cachedBinary, 'echo cached');
    const found = await machine.ensure();
    expect(fs.realpathSync(found)).toBe(fs.realpathSync(machine.cachedBinary));
    expect(run(found)).toBe('cached');
    expect(machine.goCalls()).toEqual([]);
  });

  test('with no cache the release archive is downloaded once, verified, and runs', async () => {
    const machine = freshMachine(serverUrl);
    const found = await machine.ensure();
    expect(run(found)).toBe(DOWNLOADED);
    expect(run(machine.cachedBinary)).toBe(DOWNLOADED);
    expect(hits.get(archivePath)).toBe(1);
    expect(hits.get(checksumsPath)).toBe(1);
    expect(machine.goCalls()).toEqual([]);
    expect(fs.readdirSync(path.dirname(machine.cachedBinary))).toEqual(['temporal']);
    // The next run finds it in the cache: no second download.
    expect(run(await machine.ensure())).toBe(DOWNLOADED);
    expect(hits.get(archivePath)).toBe(1);
  });

  test('a checksum mismatch is refused and falls back to go install', async () => {
    const machine = freshMachine(serverUrl);
    servedChecksum = () => 'f'.repeat(64);
    const found = await machine.ensure();
    expect(run(found)).toBe(BUILT);
    expect(hits.get(archivePath)).toBe(1);
    expect(machine.goCalls()).toEqual([`install ${temporalCliSpec.goPackage}`]);
    expect(machine.lines.join('\n')).toMatch(/refused .*sha256 .* does not match/);
  });

  test('a checksums file without this archive is refused: nothing unverified is installed', async () => {
    const machine = freshMachine(serverUrl);
    servedChecksum = () => 'not-a-sha256';
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(hits.get(archivePath)).toBeUndefined();
    expect(machine.goCalls()).toHaveLength(1);
  });

  test('a release host that is down falls back to go install at once', async () => {
    const machine = freshMachine(closedUrl);
    const startedAt = Date.now();
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(machine.goCalls()).toEqual([`install ${temporalCliSpec.goPackage}`]);
  });

  test('a release host that never answers times out quickly and falls back to go install', async () => {
    const machine = freshMachine(silentUrl);
    const startedAt = Date.now();
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(machine.lines.join('\n')).toMatch(/no answer within 1000 ms/);
    expect(machine.goCalls()).toHaveLength(1);
  });

  test('TEMPORAL_CLI_RELEASE_URL=off skips the download', async () => {
    const machine = freshMachine('off');
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(hits.size).toBe(0);
  });
});

describe('release archive reader', () => {
  test.each(['ustar', 'pax', 'gnu'])('finds the binary in a %s tar.gz, nested under a long directory name', (format) => {
    const staging = path.join(root, `tar-${format}`);
    const nested = path.join('d'.repeat(120), 'bin');
    script(path.join(staging, nested, 'temporal'), 'echo nested');
    fs.writeFileSync(path.join(staging, 'temporal.txt'), 'not the binary');
    const tarball = path.join(root, `${format}.tar.gz`);
    execFileSync('tar', [`--format=${format}`, '-czf', tarball, '-C', staging, 'temporal.txt', nested]);
    expect(extractTarGzEntry(fs.readFileSync(tarball), 'temporal')?.toString()).toBe('#!/bin/sh\necho nested\n');
    expect(extractTarGzEntry(fs.readFileSync(tarball), 'minio')).toBeUndefined();
  });
});
