import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseEnv, workerEnvSchema } from '../../schemas/env';
import { configFromEnv } from '../../simulator/main';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: unknown;
  profiles?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
}

const compose = parse(fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
const services = compose.services;

/** Docker Compose interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error}, against `dotEnv`. */
function interpolate(value: string | number, dotEnv: Record<string, string>): string {
  return String(value).replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_match, name: string, kind: string | undefined, rest: string | undefined) => {
    const set = dotEnv[name];
    if (set !== undefined && set !== '') return set;
    if (kind === '-') return rest ?? '';
    if (kind === '?') throw new Error(`${name}: ${rest}`);
    return '';
  });
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

test('has the services of a deployment: Postgres-backed Temporal, its UI, MinIO with a bucket job, the worker, an optional simulator', () => {
  expect(Object.keys(services).sort()).toEqual(['minio', 'minio-bucket', 'postgres', 'simulator', 'temporal', 'temporal-search-attributes', 'temporal-ui', 'worker']);
  expect(services.temporal?.environment?.DB).toBe('postgres12');
  expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
  expect(String(services['minio-bucket']?.command)).toContain('mc mb');
  expect(String(services['minio-bucket']?.command)).toContain('anonymous set none');
  expect(services.worker?.build).toBeDefined();
  expect(services.worker?.deploy?.replicas).toBe(1);
  expect(services.simulator?.profiles).toEqual(['simulator']);
});

test('registers every search attribute the workflows upsert', () => {
  const command = String(services['temporal-search-attributes']?.command);
  for (const name of ['CampaignId', 'VariantId', 'RunwayTaskId', 'RunwayModel', 'VideoStatus']) expect(command).toContain(name);
});

test("the worker's environment names are exactly ones the worker reads, and parse with only the secret supplied", () => {
  const known = new Set([...Object.keys(workerEnvSchema.shape), 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  const names = Object.keys(services.worker?.environment ?? {});
  expect(names.filter((name) => !known.has(name))).toEqual([]);
  for (const required of ['TEMPORAL_ADDRESS', 'TASK_QUEUE', 'S3_ENDPOINT', 'S3_BUCKET', 'RUNWAYML_API_SECRET', 'RUNWAYML_BASE_URL', 'RUNWAY_MAX_CONCURRENCY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    expect(names).toContain(required);
  }
  const env = parseEnv(workerEnvSchema, resolvedEnv(services.worker!, { RUNWAYML_API_SECRET: 'key_from_dot_env' }));
  expect(env).toMatchObject({ RUNWAYML_API_SECRET: 'key_from_dot_env', RUNWAY_MAX_CONCURRENCY: 10, S3_ENDPOINT: 'http://minio:9000', METRICS_PORT: 9464 });
});

test('the API secret is never written in the file: it comes from .env, and compose refuses to start without it', () => {
  expect(String(services.worker?.environment?.RUNWAYML_API_SECRET)).toMatch(/^\$\{RUNWAYML_API_SECRET:\?/);
  expect(() => resolvedEnv(services.worker!, {})).toThrow(/RUNWAYML_API_SECRET/);
});

test("the simulator's environment names are ones the simulator reads", () => {
  const read = keysRead((env) => configFromEnv(env));
  const names = Object.keys(services.simulator?.environment ?? {});
  expect(names.filter((name) => !read.has(name))).toEqual([]);
});
