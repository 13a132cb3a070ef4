import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { codecKeysFromEnv, generateCodecKeyEntry } from '../infra/payload-codec';

const stackSecretsSchema = z.object({
  s3AccessKeyId: z.string().min(3),
  s3SecretAccessKey: z.string().min(8),
  simulatorApiSecret: z.string().min(8),
  /** PAYLOAD_CODEC_KEYS of the stack: `<id>:<base64>` entries, the first primary (rotate by putting a new one first). */
  payloadCodecKeys: z.string().refine((value) => codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: value }) !== undefined, 'no key'),
  /** What the Web UI (and anything else) must present to the codec server. */
  codecServerToken: z.string().min(16),
  /** The production topology's PostgreSQL role password (loopback only, scram-sha-256). */
  postgresPassword: z.string().min(16),
});

/** Credentials generated on first start and kept in the data dir, never in the repo. */
export type StackSecrets = z.infer<typeof stackSecretsSchema>;

export function secretsFile(dataDir: string): string {
  return path.join(dataDir, 'secrets.json');
}

export function loadOrCreateSecrets(dataDir: string): StackSecrets {
  const file = secretsFile(dataDir);
  const stored: Record<string, unknown> = fs.existsSync(file)
    ? z.record(z.string(), z.unknown()).parse(JSON.parse(fs.readFileSync(file, 'utf8')))
    : {};
  // A data dir from before a secret existed gets the missing ones added; the ones it has are never replaced
  // (a new S3 key would lock out the stored videos, a new codec key the encrypted history).
  const fresh: StackSecrets = {
    s3AccessKeyId: `stack-${randomToken(6)}`,
    s3SecretAccessKey: randomToken(24),
    simulatorApiSecret: `key_sim_${randomToken(24)}`,
    payloadCodecKeys: generateCodecKeyEntry(`stack-${randomToken(3)}`),
    codecServerToken: randomToken(24),
    postgresPassword: randomToken(24),
  };
  const missing = Object.keys(fresh).filter((key) => stored[key] === undefined);
  const secrets = stackSecretsSchema.parse({ ...fresh, ...stored });
  if (missing.length > 0) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600); // `mode` applies to a new file only; an existing one may be looser
  }
  return secrets;
}

function randomToken(bytes: number): string {
  return crypto.randomBytes(bytes).toString('hex');
}
