// One file on purpose: docker-compose.yml is one document, and each test reads a different promise it makes
// (services, health checks, search attributes, env, codec keys) against the code that keeps it.
import fs from 'node:fs';
import path from 'node:path';
import { SearchAttributeType } from '@temporalio/common';
import { parse } from 'yaml';
import { codecServerEnvSchema, codecServerOptionsFromEnv } from '../../infra/codec-server';
import { codecKeysFromEnv, generateCodecKeyEntry } from '../../infra/payload-codec';
import { parseEnv, workerEnvSchema } from '../../schemas/env';
import { configFromEnv } from '../../simulator/main';
import * as searchAttributes from '../../workflows/search-attributes';
import { composeDynamicConfigPath, dynamicConfigFile, historyShardCount } from '../../stack/production/deploy-files';
import { POSTGRES_BIN_DIR } from '../../stack/production/postgres-install';
import { SQL_PLUGIN, temporalDatabases } from '../../stack/production/temporal-schema';
import { serverConfig } from '../../stack/production/temporal-sql-server';
import { seaweedfsMiniArgs } from '../../stack/s3-server';
import { stackSearchAttributes } from '../../stack/temporal-server';
import {
  postgresMajorVersion,
  s3ServerSpec,
  seaweedfsVersion,
  temporalServerSpec,
  temporalServerVersion,
  temporalSqlToolSpec,
  temporalUiServerSpec,
  temporalUiServerVersion,
} from '../../stack/tool-specs';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: unknown;
  profiles?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition?: string; required?: boolean }>;
  healthcheck?: { test?: unknown };
  restart?: string;
  deploy?: { replicas?: number };
  volumes?: string[];
  ports?: Array<string | number | { target?: number; published?: string | number }>;
  container_name?: string;
}

const compose = parse(fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const oneShotJobs = ['temporal-schema', 'temporal-search-attributes'];

/** Docker Compose interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error}, against `dotEnv`. */
function interpolate(value: string | number, dotEnv: Record<string, string>): string {
  return String(value).replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_match, name: string, kind: string | undefined, rest: string | undefined) => {
      const set = dotEnv[name];
      if (set !== undefined && set !== '') return set;
      if (kind === '-') return rest ?? '';
      if (kind === '?') throw new Error(`${name}: ${rest}`);
      return '';
    },
  );
}

function resolvedEnv(service: ComposeService, dotEnv: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(value, dotEnv)]));
}

/** The variables a function reads from the env object it is given. */
function keysRead(read: (env: NodeJS.ProcessEnv) => unknown): Set<string> {
  const seen = new Set<string>();
  read(new Proxy({}, { get: (_target, key) => (typeof key === 'string' && seen.add(key), undefined) }) as NodeJS.ProcessEnv);
  return seen;
}

/** The names of the search attribute keys the workflows upsert (workflows/search-attributes.ts). */
function searchAttributeNames(): string[] {
  const types: readonly string[] = Object.values(SearchAttributeType);
  return Object.values(searchAttributes as Record<string, unknown>)
    .filter(
      (value): value is { name: string; type: string } => typeof value === 'object' && value !== null && 'name' in value && 'type' in value,
    )
    .filter((key) => types.includes(key.type))
    .map((key) => key.name);
}

test('has the services of a deployment: Postgres-backed Temporal, its UI, SeaweedFS creating its bucket, the worker, an optional simulator', () => {
  expect(Object.keys(services).sort()).toEqual([
    'codec-server',
    'postgres',
    'seaweedfs',
    'simulator',
    'temporal',
    'temporal-schema',
    'temporal-search-attributes',
    'temporal-ui',
    'worker',
  ]);
  expect(services.temporal?.image).toMatch(/^temporalio\/(auto-setup|server):/);
  expect(services.temporal?.environment?.DB).toBe('postgres12');
  expect(services.temporal?.environment?.POSTGRES_SEEDS).toBe('postgres');
  expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
  expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(services.seaweedfs?.command).toEqual(expect.arrayContaining(['mini', '-bucket=${S3_BUCKET:-runway-videos}']));
  expect(services.worker?.build).toBeDefined();
  expect(services.worker?.deploy?.replicas).toBe(1);
  expect(services.simulator?.profiles).toEqual(['simulator']);
  expect(services.simulator?.command).toEqual(['npm', 'run', 'simulator']);
  expect(services['codec-server']?.profiles).toEqual(['codec']);
  expect(services['codec-server']?.command).toEqual(['npm', 'run', 'codec-server']);
  const optional: Record<string, string[]> = { simulator: ['simulator'], 'codec-server': ['codec'] };
  for (const [name, service] of Object.entries(services)) expect([name, service.profiles ?? []]).toEqual([name, optional[name] ?? []]);
});

test('every image is pinned to a version', () => {
  for (const [name, service] of Object.entries(services)) {
    if (service.image === undefined) continue;
    expect([name, service.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:(?!latest$)[\w.-]+$/)]);
  }
});

test('long-running services have healthchecks, one-shot jobs do not restart, and every dependency waits on a condition', () => {
  for (const [name, service] of Object.entries(services)) {
    if (oneShotJobs.includes(name)) expect([name, service.restart]).toEqual([name, 'no']);
    else if (name !== 'temporal-ui') expect([name, service.healthcheck?.test]).toEqual([name, expect.anything()]);
    for (const [dependency, spec] of Object.entries(service.depends_on ?? {})) {
      expect(Object.keys(services)).toContain(dependency);
      const expected = oneShotJobs.includes(dependency) ? 'service_completed_successfully' : 'service_healthy';
      expect([name, dependency, spec.condition]).toEqual([name, dependency, expected]);
    }
  }
  expect(Object.keys(services.worker?.depends_on ?? {}).sort()).toEqual(['seaweedfs', 'simulator', 'temporal-search-attributes']);
  expect(services.worker?.depends_on?.simulator?.required).toBe(false);
});

test('registers exactly the search attributes the workflows upsert, as Keyword', () => {
  const registered = String(services['temporal-search-attributes']?.environment?.SEARCH_ATTRIBUTES).split(/\s+/).sort();
  expect(registered).toEqual(searchAttributeNames().sort());
  expect(registered).toHaveLength(6);
  const command = String(services['temporal-search-attributes']?.command);
  expect(command).toContain('temporal operator search-attribute create');
  expect(command).toContain('--type Keyword');
});

test("the worker's environment names are exactly ones the worker reads, and parse with only the secret supplied", () => {
  const known = new Set([...Object.keys(workerEnvSchema.shape), 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  const names = Object.keys(services.worker?.environment ?? {});
  expect(names.filter((name) => !known.has(name))).toEqual([]);
  for (const required of [
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'TASK_QUEUE',
    'S3_ENDPOINT',
    'S3_BUCKET',
    'S3_FORCE_PATH_STYLE',
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'RUNWAYML_API_SECRET',
    'RUNWAYML_BASE_URL',
    'RUNWAY_MAX_CONCURRENCY',
    'RUNWAY_LIMITS_REFRESH',
    'GENERATION_WORKER_SLOTS',
    'METRICS_PORT',
  ]) {
    expect(names).toContain(required);
  }
  const env = parseEnv(workerEnvSchema, resolvedEnv(services.worker!, { RUNWAYML_API_SECRET: 'key_from_dot_env' }));
  expect(env).toMatchObject({
    TEMPORAL_ADDRESS: 'temporal:7233',
    RUNWAYML_API_SECRET: 'key_from_dot_env',
    RUNWAYML_BASE_URL: 'https://api.dev.runwayml.com',
    S3_ENDPOINT: 'http://seaweedfs:8333',
    S3_FORCE_PATH_STYLE: 'true',
    METRICS_PORT: 9464,
  });
  // The workspace's caps as they are unless .env sets a ceiling; the refresh and the slots as the worker defaults them.
  const bare = parseEnv(workerEnvSchema, { RUNWAYML_API_SECRET: 'key_from_dot_env' });
  expect(env.RUNWAY_MAX_CONCURRENCY).toBeUndefined();
  expect([env.RUNWAY_LIMITS_REFRESH, env.GENERATION_WORKER_SLOTS]).toEqual([bare.RUNWAY_LIMITS_REFRESH, bare.GENERATION_WORKER_SLOTS]);
  expect(env.RUNWAY_LIMITS_REFRESH).toBe(5 * 60_000);
  const tuned = parseEnv(
    workerEnvSchema,
    resolvedEnv(services.worker!, {
      RUNWAYML_API_SECRET: 'k',
      RUNWAY_MAX_CONCURRENCY: '4',
      RUNWAY_LIMITS_REFRESH: '30s',
      GENERATION_WORKER_SLOTS: '8',
    }),
  );
  expect(tuned).toMatchObject({ RUNWAY_MAX_CONCURRENCY: 4, RUNWAY_LIMITS_REFRESH: 30_000, GENERATION_WORKER_SLOTS: 8 });
});

test('the worker scales (`docker compose up --scale worker=3`): no fixed host port, no container name, one shared journal volume', () => {
  const worker = services.worker!;
  expect(worker.container_name).toBeUndefined();
  expect(worker.deploy?.replicas).toBe(1);
  // A published host port would collide between replicas: only the container port (an ephemeral host port each).
  for (const port of worker.ports ?? []) {
    if (typeof port === 'object') expect(port.published).toBeUndefined();
    else expect(String(port)).toMatch(/^\d+$/);
  }
  expect((worker.ports ?? []).map(String)).toContain('9464');
  // Named, so every replica mounts the same journal: a replica taking over a dead one's generation finds its task.
  const journalVolume = (worker.volumes ?? []).map((volume) => volume.split(':')[0]!);
  expect(journalVolume.filter((name) => Object.keys(compose.volumes ?? {}).includes(name))).toHaveLength(1);
  const text = fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8');
  const comment = text.slice(0, text.indexOf('\n  worker:\n')).split('\n\n').at(-1) ?? '';
  expect(comment).toContain('--scale worker=');
  expect(comment).toMatch(/lease pool/);
  expect(comment).toMatch(/GET \/v1\/organization/);
});

test('the worker and SeaweedFS agree on the bucket and the keys, which are its admin identity', () => {
  const dotEnv = { RUNWAYML_API_SECRET: 'k', S3_BUCKET: 'my-videos', AWS_ACCESS_KEY_ID: 'admin', AWS_SECRET_ACCESS_KEY: 'long-secret' };
  const worker = resolvedEnv(services.worker!, dotEnv);
  const seaweedfs = resolvedEnv(services.seaweedfs!, dotEnv);
  const command = (services.seaweedfs?.command as string[]).map((arg) => interpolate(arg, dotEnv));
  expect(command).toContain(`-bucket=${worker.S3_BUCKET}`);
  expect([seaweedfs.AWS_ACCESS_KEY_ID, seaweedfs.AWS_SECRET_ACCESS_KEY]).toEqual([worker.AWS_ACCESS_KEY_ID, worker.AWS_SECRET_ACCESS_KEY]);
  expect(worker.S3_ENDPOINT).toBe(`http://seaweedfs:${command.find((arg) => arg.startsWith('-s3.port='))!.split('=')[1]}`);
});

test('the API secret is never written in the file: it comes from .env, and compose refuses to start without it', () => {
  expect(String(services.worker?.environment?.RUNWAYML_API_SECRET)).toMatch(/^\$\{RUNWAYML_API_SECRET:\?[^}]*\}$/);
  expect(() => resolvedEnv(services.worker!, {})).toThrow(/RUNWAYML_API_SECRET/);
  const text = fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8');
  expect(text).not.toMatch(/key_[A-Za-z0-9]{16,}/);
});

test("the simulator's environment names are ones the simulator reads, and it listens on all interfaces", () => {
  const read = keysRead((env) => configFromEnv(env));
  const names = Object.keys(services.simulator?.environment ?? {});
  expect(names.filter((name) => !read.has(name))).toEqual([]);
  const env = resolvedEnv(services.simulator!, { RUNWAYML_API_SECRET: 'k' });
  expect(configFromEnv(env)).toMatchObject({ host: '0.0.0.0', port: 8787, apiSecret: 'k', publicUrl: 'http://simulator:8787' });
});

test('the image is Node 24, installs with npm ci and runs `npm run worker`, with every source directory copied in', () => {
  const dockerfile = fs.readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^FROM node:24\S*$/m);
  expect(dockerfile).toMatch(/^RUN npm ci\b/m);
  expect(dockerfile).toMatch(/^CMD \["npm", "run", "worker"\]$/m);
  const copied = [...dockerfile.matchAll(/^COPY (\S+) \.\/\S*$/gm)].map((match) => match[1]);
  for (const dir of ['activities', 'client', 'infra', 'schemas', 'simulator', 'stack', 'worker', 'workflows'])
    expect(copied).toContain(dir);
  for (const source of copied) expect(fs.existsSync(path.resolve(__dirname, '../..', source!))).toBe(true);
});

test("the worker's submission journal lives on a named volume the image prepares for its user", () => {
  const worker = services.worker!;
  const journalDir = resolvedEnv(worker, { RUNWAYML_API_SECRET: 'k' }).SUBMISSION_JOURNAL_DIR!;
  const mount = (worker.volumes ?? [])
    .map((volume) => volume.split(':'))
    .find(([, target]) => target !== undefined && journalDir.startsWith(`${target}/`));
  expect(mount).toBeDefined();
  expect(Object.keys(compose.volumes ?? {})).toContain(mount![0]);
  const dockerfile = fs.readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`ENV SUBMISSION_JOURNAL_DIR=${journalDir}`);
  expect(dockerfile).toMatch(new RegExp(`^RUN mkdir -p ${journalDir} && chown -R node:node ${mount![1]}$`, 'm'));
  expect(dockerfile.indexOf('chown -R node:node')).toBeLessThan(dockerfile.indexOf('USER node'));
});

test("the codec server (profile codec) reads only its own variables, shares the worker's key from .env, and allows the Web UI's origin", () => {
  const codec = services['codec-server']!;
  expect(codec.build).toBeDefined();
  const read = new Set([...Object.keys(codecServerEnvSchema.shape), ...keysRead((env) => codecKeysFromEnv(env))]);
  const names = Object.keys(codec.environment ?? {});
  expect(names.filter((name) => !read.has(name))).toEqual([]);

  const key = generateCodecKeyEntry('k1');
  const token = 'a'.repeat(48);
  const dotEnv = {
    RUNWAYML_API_SECRET: 'k',
    PAYLOAD_CODEC_KEYS: key,
    CODEC_SERVER_TOKEN: token,
    TEMPORAL_CODEC_ENDPOINT: `http://localhost:8888/${token}`,
  };
  const options = codecServerOptionsFromEnv(resolvedEnv(codec, dotEnv));
  expect(options).toMatchObject({ host: '0.0.0.0', port: 8888, token, allowedOrigins: ['http://localhost:8080'] });
  // The UI is published on 8080 and the codec server on 8888: the browser reaches both at those host ports.
  expect((services['temporal-ui']?.ports ?? []).map(String)).toContain('8080:8080');
  expect((codec.ports ?? []).map(String)).toContain('8888:8888');
  expect(resolvedEnv(services['temporal-ui']!, dotEnv).TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:8888/${token}`);
  // One key for both: what the worker encrypts, the codec server decrypts.
  const worker = parseEnv(workerEnvSchema, resolvedEnv(services.worker!, dotEnv));
  expect(worker.PAYLOAD_CODEC_KEYS).toBe(key);
  expect(resolvedEnv(codec, dotEnv).PAYLOAD_CODEC_KEYS).toBe(key);

  // Off by default: no key for the worker, no codec endpoint for the UI; the codec server refuses to run without a key or a token.
  expect(parseEnv(workerEnvSchema, resolvedEnv(services.worker!, { RUNWAYML_API_SECRET: 'k' })).PAYLOAD_CODEC_KEYS).toBeUndefined();
  expect(resolvedEnv(services['temporal-ui']!, {}).TEMPORAL_CODEC_ENDPOINT).toBe('');
  expect(() => codecServerOptionsFromEnv(resolvedEnv(codec, { CODEC_SERVER_TOKEN: token }))).toThrow(/no key/);
  expect(() => codecServerOptionsFromEnv(resolvedEnv(codec, { PAYLOAD_CODEC_KEYS: key }))).toThrow(/CODEC_SERVER_TOKEN/);
});

test('.env.example documents the optional codec: the key (and how to make one), the profile, the token and the UI endpoint; no key is written anywhere', () => {
  const example = fs.readFileSync(path.resolve(__dirname, '../../.env.example'), 'utf8');
  for (const name of ['PAYLOAD_CODEC_KEYS', 'CODEC_SERVER_TOKEN', 'TEMPORAL_CODEC_ENDPOINT'])
    expect(example).toMatch(new RegExp(`^# ${name}=`, 'm'));
  expect(example).toMatch(/^# COMPOSE_PROFILES=codec$/m);
  expect(example).toContain('openssl rand -base64 32');
  const text = fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8');
  expect(text).not.toMatch(/[A-Za-z0-9+/]{43}=/);
});

describe('compose runs what the production launcher runs and tests (stack/production)', () => {
  const repo = path.resolve(__dirname, '../..');
  /** The launcher's server config, with placeholder ports: what it would write for the server. */
  const launcherConfig = serverConfig({
    serverPath: 'temporal-server',
    host: '127.0.0.1',
    ports: {
      frontend: 1,
      frontendHttp: 2,
      frontendMembership: 3,
      history: 4,
      historyMembership: 5,
      matching: 6,
      matchingMembership: 7,
      worker: 8,
      workerMembership: 9,
    },
    namespace: 'default',
    postgres: { host: '127.0.0.1', port: 10, password: 'p' },
    historyShards: historyShardCount,
    dynamicConfigFile,
    dir: '/nowhere',
    logFile: '/nowhere/log',
    log: () => undefined,
  }) as {
    persistence: { numHistoryShards: number; datastores: Record<string, { sql: { pluginName: string; databaseName: string } }> };
    dynamicConfigClient: { filepath: string };
  };

  test('the same Temporal server release: the server image, the admin tools of that release, and the binaries the launcher builds', () => {
    expect(services.temporal?.image).toBe(`temporalio/server:${temporalServerVersion}`);
    for (const job of ['temporal-schema', 'temporal-search-attributes'])
      expect([job, services[job]?.image]).toEqual([
        job,
        expect.stringMatching(new RegExp(`^temporalio/admin-tools:${temporalServerVersion.replace(/\./g, '\\.')}-`)),
      ]);
    expect(temporalServerSpec.goPackage).toBe(`go.temporal.io/server/cmd/server@v${temporalServerVersion}`);
    expect(temporalSqlToolSpec.goPackage).toBe(`go.temporal.io/server/cmd/tools/sql@v${temporalServerVersion}`);
  });

  test("the same S3 server: SeaweedFS of the wheel the launcher fetches, in its on-disk format, run with the launcher's flags", () => {
    expect(services.seaweedfs?.image).toBe(`chrislusf/seaweedfs:${seaweedfsVersion}_large_disk`);
    expect(s3ServerSpec.wheel?.version).toBe(seaweedfsVersion);
    expect(s3ServerSpec.goTags).toEqual(['5BytesOffset']);
    const launcher = seaweedfsMiniArgs({ dir: '/data', bindHost: '0.0.0.0', s3Port: 8333, bucket: '${S3_BUCKET:-runway-videos}' });
    expect(services.seaweedfs?.command).toEqual(launcher);
  });

  test('the same PostgreSQL major', () => {
    expect(services.postgres?.image).toBe(`postgres:${postgresMajorVersion}`);
    expect(POSTGRES_BIN_DIR).toBe(`/usr/lib/postgresql/${postgresMajorVersion}/bin`);
  });

  test('the same dynamic config file: compose mounts the file the launcher points its server at', () => {
    const temporalEnv = resolvedEnv(services.temporal!, {});
    expect(temporalEnv.DYNAMIC_CONFIG_FILE_PATH).toBe(composeDynamicConfigPath);
    const mounts = (services.temporal?.volumes ?? []).map((volume) => volume.split(':'));
    const mount = mounts.find(([, target]) => target === composeDynamicConfigPath);
    expect(mount).toBeDefined();
    expect(path.resolve(repo, mount![0]!)).toBe(dynamicConfigFile);
    expect(launcherConfig.dynamicConfigClient.filepath).toBe(dynamicConfigFile);
    // Its content is one YAML map of dynamic config keys, each a list of { value, constraints } entries.
    const content = parse(fs.readFileSync(dynamicConfigFile, 'utf8')) as Record<string, Array<{ value: unknown }>>;
    expect(Object.keys(content).length).toBeGreaterThan(0);
    for (const [key, entries] of Object.entries(content)) expect([key, entries.every((entry) => 'value' in entry)]).toEqual([key, true]);
  });

  test('the same persistence: SQL plugin, databases, schemas and history shard count', () => {
    const temporalEnv = resolvedEnv(services.temporal!, {});
    expect(temporalEnv.DB).toBe(SQL_PLUGIN);
    expect(Number(temporalEnv.NUM_HISTORY_SHARDS)).toBe(historyShardCount);
    expect(launcherConfig.persistence.numHistoryShards).toBe(historyShardCount);
    const [persistence, visibility] = temporalDatabases;
    expect([temporalEnv.DBNAME, temporalEnv.VISIBILITY_DBNAME]).toEqual([persistence.database, visibility.database]);
    expect(Object.values(launcherConfig.persistence.datastores).map((store) => [store.sql.pluginName, store.sql.databaseName])).toEqual([
      [SQL_PLUGIN, persistence.database],
      [SQL_PLUGIN, visibility.database],
    ]);
    const schemaJob = services['temporal-schema']!;
    expect(resolvedEnv(schemaJob, {}).SQL_PLUGIN).toBe(SQL_PLUGIN);
    const command = String(schemaJob.command);
    for (const { database, schemaName } of temporalDatabases) expect(command).toContain(`${database}:${schemaName}`);
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema --schema-name']) expect(command).toContain(step);
  });

  test('the same search attributes as the launcher registers', () => {
    const registered = String(services['temporal-search-attributes']?.environment?.SEARCH_ATTRIBUTES).split(/\s+/);
    expect([...registered].sort()).toEqual([...stackSearchAttributes].sort());
  });

  test('the Web UI image of the UI server release the launcher builds', () => {
    expect(services['temporal-ui']?.image).toBe(`temporalio/ui:${temporalUiServerVersion}`);
    expect(temporalUiServerSpec.goPackage).toBe(`github.com/temporalio/ui-server/v2/cmd/server@v${temporalUiServerVersion}`);
  });
});
