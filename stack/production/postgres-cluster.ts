import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess } from '../managed-process';
import { readyLine } from '../ready-line';
import { waitUntilHealthy } from '../wait-until-healthy';
import { ProcessService } from '../process-service';

/** The role the Temporal server and the schema tool log in as. */
export const POSTGRES_USER = 'temporal';
/** The OS account PostgreSQL runs as when this process is root (it refuses to run as root): Debian's package creates it. */
const POSTGRES_OS_USER = 'postgres';
/** A Unix socket path must fit in sun_path (108 bytes); a longer data dir runs on TCP alone. */
const MAX_SOCKET_PATH = 100;

export interface PostgresClusterConfig {
  binDir: string;
  /** The cluster's own directory (data, socket); created on first start. */
  dir: string;
  host: string;
  port: number;
  /** Password of POSTGRES_USER: loopback connections authenticate with scram-sha-256. */
  password: string;
  logFile: string;
  log: (line: string) => void;
}

/**
 * A PostgreSQL cluster of its own (initdb on first start), run as a managed child on a private port: no system
 * service is touched. Restartable: stop() and start() again keep its data.
 */
export class PostgresCluster extends ProcessService {
  readonly name = 'postgres';
  /** Where the cluster lives: `config.dir`, or the reachable directory it links to (see reachableClusterDir). */
  readonly dir: string;
  readonly dataDir: string;
  readonly socketDir: string | undefined;
  protected readonly process: ManagedProcess;

  constructor(private readonly config: PostgresClusterConfig) {
    super();
    this.dir = reachableClusterDir(config.dir);
    this.dataDir = path.join(this.dir, 'data');
    const socketDir = path.join(this.dir, 'sock');
    this.socketDir = path.join(socketDir, `.s.PGSQL.${config.port}`).length <= MAX_SOCKET_PATH ? socketDir : undefined;
    const args = ['-D', this.dataDir, '-p', String(config.port), '-k', this.socketDir ?? '', '-c', `listen_addresses=${config.host}`];
    this.process = new ManagedProcess({
      service: 'postgres',
      ...asPostgresUser(path.join(config.binDir, 'postgres'), args),
      env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' },
      logFile: config.logFile,
      stopTimeoutMs: 20_000,
    });
  }

  get port(): number {
    return this.config.port;
  }

  /** `postgres://temporal:<password>@127.0.0.1:<port>/<database>` */
  url(database: string): string {
    return `postgres://${POSTGRES_USER}:${encodeURIComponent(this.config.password)}@${this.config.host}:${this.config.port}/${database}`;
  }

  async start(): Promise<void> {
    this.initOnce();
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.isHealthy(), timeoutMs: 60_000 });
    this.config.log(readyLine('postgres', `${this.config.host}:${this.config.port}`, `cluster ${this.dataDir}`));
  }

  /**
   * Fast shutdown (SIGINT: sessions are ended, the postmaster checkpoints and exits), or with `force` a crash: SIGKILL
   * to the postmaster and its backends, recovered from the WAL on the next start. PostgreSQL puts every backend in a
   * session of its own, so a signal to the process group alone would reach the postmaster only.
   */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    const pid = this.process.pid;
    if (pid === undefined) return;
    if (options.force) for (const child of childPids(pid)) signal(child, 'SIGKILL');
    else signal(pid, 'SIGINT');
    await this.process.stop(options);
  }

  /** pg_isready: the server accepts connections. */
  isHealthy(): Promise<boolean> {
    return new Promise((resolve) => {
      execFile(
        path.join(this.config.binDir, 'pg_isready'),
        ['-h', this.config.host, '-p', String(this.config.port), '-U', POSTGRES_USER, '-d', 'postgres', '-t', '2'],
        { timeout: 5_000 },
        (error) => resolve(error === null),
      );
    });
  }

  /** Runs one SQL statement through psql and returns its unaligned, tuples-only output. */
  query(database: string, sql: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        path.join(this.config.binDir, 'psql'),
        [
          '-h',
          this.config.host,
          '-p',
          String(this.config.port),
          '-U',
          POSTGRES_USER,
          '-d',
          database,
          '-XAtq',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          sql,
        ],
        { env: { ...process.env, PGPASSWORD: this.config.password }, timeout: 30_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`psql: ${stderr || error.message}`)) : resolve(stdout.trim())),
      );
    });
  }

  /** initdb when the data directory has no cluster yet (PG_VERSION is its last step's marker of a finished initdb). */
  private initOnce(): void {
    if (fs.existsSync(path.join(this.dataDir, 'PG_VERSION'))) return;
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(this.dir, 'sock'), { recursive: true });
    const passwordFile = path.join(this.dir, 'initdb-password');
    fs.writeFileSync(passwordFile, `${this.config.password}\n`, { mode: 0o600 });
    giveToPostgresUser(this.dir);
    try {
      const initdb = asPostgresUser(path.join(this.config.binDir, 'initdb'), [
        '-D',
        this.dataDir,
        '-U',
        POSTGRES_USER,
        `--pwfile=${passwordFile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=peer',
        '-E',
        'UTF8',
        '--locale=C',
      ]);
      const result = spawnSync(initdb.command, initdb.args, { encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' } });
      if (result.status !== 0) throw new Error(`initdb failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
    } finally {
      fs.rmSync(passwordFile, { force: true });
    }
    this.config.log(`✔ postgres  initdb ${this.dataDir}`);
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` account, which must reach its directory. A checkout inside a private
 * directory (`mktemp -d` makes it 0700) is out of that account's reach, and opening it up would change the user's
 * own directories: the cluster then lives in a directory of its own under the system temp dir (one per requested
 * path, so a restart finds its data), linked from the requested path. Otherwise the requested path itself.
 */
function reachableClusterDir(dir: string): string {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  if (!runningAsRoot() || postgresCanTraverse(parent)) return dir;
  const own = path.join(
    os.tmpdir(),
    `runway-temporal-postgres-${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16)}`,
  );
  fs.mkdirSync(own, { recursive: true });
  if (!fs.existsSync(dir)) fs.symlinkSync(own, dir);
  return own;
}

function postgresCanTraverse(dir: string): boolean {
  const check = asPostgresUser('test', ['-x', dir]);
  return spawnSync(check.command, check.args).status === 0;
}

function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** PostgreSQL refuses to run as root: as root, its binaries run as the `postgres` account (setpriv execs, so signals reach postgres itself). */
function asPostgresUser(command: string, args: string[]): { command: string; args: string[] } {
  if (!runningAsRoot()) return { command, args };
  return {
    command: 'setpriv',
    args: [`--reuid=${POSTGRES_OS_USER}`, `--regid=${POSTGRES_OS_USER}`, '--init-groups', '--', command, ...args],
  };
}

function giveToPostgresUser(dir: string): void {
  fs.chmodSync(dir, 0o700);
  if (!runningAsRoot()) return;
  const result = spawnSync('chown', ['-R', `${POSTGRES_OS_USER}:${POSTGRES_OS_USER}`, dir], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`cannot hand ${dir} to the ${POSTGRES_OS_USER} account (PostgreSQL refuses to run as root): ${result.stderr.trim()}`);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Direct children of `pid` (the postmaster's backends and auxiliary processes), from /proc. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}
