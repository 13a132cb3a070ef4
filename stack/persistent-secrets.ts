import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const stackSecretsSchema = z.object({
  s3AccessKeyId: z.string().min(3),
  s3SecretAccessKey: z.string().min(8),
  simulatorApiSecret: z.string().min(8),
});

/** Credentials generated on first start and kept in the data dir, never in the repo. */
export type StackSecrets = z.infer<typeof stackSecretsSchema>;

export function secretsFile(dataDir: string): string {
  return path.join(dataDir, 'secrets.json');
}

export function loadOrCreateSecrets(dataDir: string): StackSecrets {
  const file = secretsFile(dataDir);
  if (fs.existsSync(file)) return stackSecretsSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const secrets: StackSecrets = {
    s3AccessKeyId: `stack-${randomToken(6)}`,
    s3SecretAccessKey: randomToken(24),
    simulatorApiSecret: `key_sim_${randomToken(24)}`,
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

function randomToken(bytes: number): string {
  return crypto.randomBytes(bytes).toString('hex');
}
