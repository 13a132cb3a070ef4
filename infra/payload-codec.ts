import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';

/** The metadata that marks an encrypted payload and names its key (never the key itself). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Keys by id; `primary` encrypts, every key decrypts (rotation: add a new primary, keep the old ones). */
export interface CodecKeys {
  primary: string;
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * AES-256-GCM over the whole payload (data and metadata, so the encoding is hidden too), a fresh 96-bit IV
 * per payload, the key id in the outer metadata. A payload without the encrypted encoding passes through
 * on decode: history written before the codec was turned on stays readable.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly codecKeys: CodecKeys) {
    if (!codecKeys.keys.has(codecKeys.primary))
      throw new Error(`payload codec: the primary key "${codecKeys.primary}" is not among the keys`);
  }

  get primaryKeyId(): string {
    return this.codecKeys.primary;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.codecKeys.primary;
    const key = this.codecKeys.keys.get(keyId)!;
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8(keyId) },
      data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), key),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
      if (!keyId) throw new ValueError('encrypted payload without a key id');
      const key = this.codecKeys.keys.get(keyId);
      if (!key) throw new ValueError(`encrypted payload under key "${keyId}", which this process does not have`);
      if (!payload.data) throw new ValueError('encrypted payload without data');
      return temporal.api.common.v1.Payload.decode(decrypt(payload.data, key));
    });
  }
}

function encrypt(plain: Uint8Array, key: Buffer): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decrypt(sealed: Uint8Array, key: Buffer): Uint8Array {
  const bytes = Buffer.from(sealed);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ValueError('encrypted payload failed authentication (wrong key, or tampered with)');
  }
}

const utf8 = (value: string) => Buffer.from(value, 'utf8');
const text = (value: Uint8Array | null | undefined) => (value ? Buffer.from(value).toString('utf8') : undefined);

const keyIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1–64 letters, digits, dots, dashes or underscores');
const keyMaterialSchema = z
  .string()
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((key) => key.length === KEY_BYTES, `a key is ${KEY_BYTES} bytes, base64-encoded (e.g. \`openssl rand -base64 32\`)`);

/** PAYLOAD_CODEC_KEY_FILE: `{ "primary": "<id>", "keys": { "<id>": "<base64 of 32 bytes>", … } }`. */
const keyFileSchema = z.object({ primary: keyIdSchema, keys: z.record(keyIdSchema, keyMaterialSchema) });

/**
 * The codec's keys from the environment, or undefined when none is configured (the codec is off):
 * PAYLOAD_CODEC_KEYS (`<id>:<base64>` entries separated by commas, the first one primary) or
 * PAYLOAD_CODEC_KEY_FILE (a JSON file, see keyFileSchema). Both set is an error: one source of truth.
 */
export function codecKeysFromEnv(env: NodeJS.ProcessEnv = process.env): CodecKeys | undefined {
  const inline = env.PAYLOAD_CODEC_KEYS?.trim();
  const file = env.PAYLOAD_CODEC_KEY_FILE?.trim();
  if (inline && file) throw new Error('payload codec: set PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE, not both');
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(
        `payload codec: cannot read PAYLOAD_CODEC_KEY_FILE=${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const parsed = keyFileSchema.safeParse(json);
    if (!parsed.success) throw new Error(`payload codec: PAYLOAD_CODEC_KEY_FILE=${file}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    if (!(parsed.data.primary in parsed.data.keys))
      throw new Error(`payload codec: the primary key "${parsed.data.primary}" is not in ${file}`);
    return { primary: parsed.data.primary, keys: new Map(Object.entries(parsed.data.keys)) };
  }
  if (!inline) return undefined;
  const keys = new Map<string, Buffer>();
  let primary: string | undefined;
  for (const entry of inline.split(',')) {
    const [id = '', material = ''] = entry.trim().split(/:(.*)/s);
    const parsedId = keyIdSchema.safeParse(id);
    const parsedKey = keyMaterialSchema.safeParse(material);
    if (!parsedId.success || !parsedKey.success) {
      throw new Error(
        `payload codec: PAYLOAD_CODEC_KEYS entry "${id}:…": ${(parsedId.error ?? parsedKey.error)?.issues[0]?.message ?? 'invalid'}`,
      );
    }
    keys.set(parsedId.data, parsedKey.data);
    primary ??= parsedId.data;
  }
  return { primary: primary!, keys };
}

/** A fresh key entry for PAYLOAD_CODEC_KEYS (the embedded stack generates one like its other secrets). */
export function generateCodecKeyEntry(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
