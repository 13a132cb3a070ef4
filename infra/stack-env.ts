import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from './paths';

/** The variables `<dataDir>/stack.env` holds: everything a worker or CLI needs to reach the stack. */
export const stackEnvKeys = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_UI_URL',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'RUNWAYML_BASE_URL',
  'RUNWAYML_API_SECRET',
  'PAYLOAD_CODEC_KEYS',
  'CODEC_SERVER_URL',
  'CODEC_SERVER_TOKEN',
] as const;

/** Written only by a stack that runs Temporal with mTLS (`npm run stack -- --production --tls`). */
export const temporalTlsEnvKeys = [
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
] as const;

export type StackEnvKey = (typeof stackEnvKeys)[number];
export type TemporalTlsEnvKey = (typeof temporalTlsEnvKeys)[number];
export type StackEnv = Record<StackEnvKey, string> & Partial<Record<TemporalTlsEnvKey, string>>;

/** `<STACK_DATA_DIR or .data>/stack.env` */
export function defaultStackEnvPath(env: NodeJS.ProcessEnv = process.env): string {
  const dataDir = env.STACK_DATA_DIR ? path.resolve(env.STACK_DATA_DIR) : defaultDataDir;
  return path.join(dataDir, 'stack.env');
}

export function stackEnvPath(dataDir: string): string {
  return path.join(dataDir, 'stack.env');
}

/** Writes KEY=value lines, readable by the owner only (it holds secrets). */
export function writeStackEnv(filePath: string, values: StackEnv): void {
  const tls = temporalTlsEnvKeys.filter((key) => values[key] !== undefined);
  const lines = [...stackEnvKeys, ...tls].map((key) => `${key}=${values[key]}`);
  const header = '# Written by the embedded stack (npm run stack / npm start). Do not commit.';
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, `${header}\n${lines.join('\n')}\n`, { mode: 0o600 });
  fs.chmodSync(filePath, 0o600);
}

/** Parses a KEY=value file (comments, blank lines and surrounding quotes allowed). */
export function readStackEnv(filePath: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(filePath, 'utf8').split(/\r?\n/)) {
    const entry = parseEnvLine(line);
    if (entry) values[entry[0]] = entry[1];
  }
  return values;
}

/**
 * Reads the stack env file and sets into process.env only the variables not
 * already set, so an explicit environment always wins. A missing file is not
 * an error (returns {}). Returns the variables it set.
 */
export function loadStackEnv(options: { path?: string } = {}): Record<string, string> {
  const filePath = options.path ?? defaultStackEnvPath();
  if (!fs.existsSync(filePath)) return {};
  const applied: Record<string, string> = {};
  for (const [key, value] of Object.entries(readStackEnv(filePath))) {
    if (process.env[key] !== undefined) continue;
    process.env[key] = value;
    applied[key] = value;
  }
  return applied;
}

function parseEnvLine(line: string): [string, string] | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
  if (!match?.[1]) return undefined;
  return [match[1], unquote(match[2] ?? '')];
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return quoted?.[2] ?? value;
}

/**
 * The environment for a stack of its own (a test's, the benchmark's, the chaos run's): a developer's
 * stack settings — ports, secrets, an external Runway — must not leak into it.
 */
export function envWithoutStackOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefixes = ['SIM_', 'STACK_', 'TEMPORAL_', 'S3_', 'RUNWAYML_', 'PAYLOAD_CODEC_', 'CODEC_SERVER_'];
  return Object.fromEntries(Object.entries(env).filter(([key]) => !prefixes.some((prefix) => key.startsWith(prefix))));
}
