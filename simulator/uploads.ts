import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** A file uploaded through the ephemeral uploads API: what a `runway://` URI stands for until it expires. */
export interface UploadedFile {
  bytes: Buffer;
  contentType: string;
  filename: string;
  /** Simulated seconds at upload. */
  uploadedAtSim: number;
}

/** Runway's limit on one ephemeral upload (images up to 200 MB). */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
/** How long a `runway://` URI stays usable after its upload, in simulated seconds (Runway: about 24 h). */
export const UPLOAD_VALIDITY_SECONDS = 24 * 3600;
/**
 * How long the presigned form stays valid, in REAL seconds: it is a storage URL the client posts to at
 * once, as a cloud store's presigned POST policy is, so the simulator's time scale does not shorten it.
 */
export const FORM_TTL_REAL_SECONDS = 15 * 60;

const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

/** What the file's first bytes say it is (the media types Runway's uploads take), or undefined. */
export function sniffMediaType(head: Buffer): string | undefined {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE') return 'audio/wav';
  if (head.toString('latin1', 4, 8) === 'ftyp') return head.toString('latin1', 8, 10) === 'qt' ? 'video/quicktime' : 'video/mp4';
  if (head.toString('latin1', 0, 3) === 'ID3' || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)) return 'audio/mpeg';
  return undefined;
}

/** The declared type of a filename by its extension, or undefined when Runway would not take it. */
export function typeForFilename(filename: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  return extension ? EXTENSION_TYPES[extension] : undefined;
}

/** One upload slot issued by POST /v1/uploads: filled by the form POST, then resolvable by its URI. */
interface PendingUpload {
  id: string;
  filename: string;
  declaredType: string;
  runwayUri: string;
  formExpiresAt: number;
  completed: boolean;
}

/** The signed policy the form must echo: what may be uploaded where, and until when. */
interface FormPolicy {
  id: string;
  filename: string;
  expiresAt: number;
  maxBytes: number;
}

export type FormCheck = { ok: true; upload: PendingUpload } | { ok: false; status: number; error: string };

/**
 * The simulator's ephemeral uploads (`POST /v1/uploads` and the presigned form upload it answers).
 * `resolve` answers what a `runway://` URI holds, or undefined when it was never issued, never completed
 * or has expired.
 */
export class UploadStore {
  private readonly files = new Map<string, UploadedFile>();
  private readonly pending = new Map<string, PendingUpload>();
  readonly counters = { issued: 0, completed: 0, rejected: 0, bytes: 0, largestBytes: 0, usesByUri: {} as Record<string, number> };

  constructor(
    private readonly secret: string,
    private readonly nowSim: () => number,
  ) {}

  resolve(uri: string): UploadedFile | undefined {
    const file = this.files.get(uri);
    if (!file) return undefined;
    if (this.nowSim() - file.uploadedAtSim > UPLOAD_VALIDITY_SECONDS) return undefined;
    return file;
  }

  /** A generation request named this URI (counted for the admin stats, whatever validation makes of it). */
  noteUse(uri: string): void {
    this.counters.usesByUri[uri] = (this.counters.usesByUri[uri] ?? 0) + 1;
  }

  /** Issue a presigned form for one file: what `POST /v1/uploads` answers. */
  issue(filename: string, declaredType: string, publicUrl: string) {
    const id = randomUUID();
    const formExpiresAt = Math.floor(Date.now() / 1000) + FORM_TTL_REAL_SECONDS;
    const runwayUri = `runway://uploads/${id}/${encodeURIComponent(filename)}`;
    this.pending.set(id, { id, filename, declaredType, runwayUri, formExpiresAt, completed: false });
    this.counters.issued += 1;
    const policy = Buffer.from(
      JSON.stringify({ id, filename, expiresAt: formExpiresAt, maxBytes: MAX_UPLOAD_BYTES } satisfies FormPolicy),
    ).toString('base64');
    return {
      uploadUrl: new URL(`/__uploads/${id}`, publicUrl).toString(),
      fields: { key: `ephemeral/${id}/${filename}`, 'Content-Type': declaredType, policy, signature: this.sign(policy) },
      runwayUri,
      expiresAt: new Date(formExpiresAt * 1000).toISOString(),
    };
  }

  /** Check a form POST's echoed fields against the slot its URL names, before its file is read. */
  checkForm(id: string, fields: Record<string, string>): FormCheck {
    const upload = this.pending.get(id);
    if (!upload) return { ok: false, status: 404, error: 'No such upload.' };
    const { policy = '', signature = '' } = fields;
    const expected = Buffer.from(this.sign(policy), 'hex');
    const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(expected, given)) {
      return { ok: false, status: 403, error: 'The request signature we calculated does not match the signature you provided.' };
    }
    let parsed: FormPolicy;
    try {
      parsed = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as FormPolicy;
    } catch {
      return { ok: false, status: 400, error: 'Invalid policy document.' };
    }
    if (parsed.id !== id) return { ok: false, status: 403, error: 'The policy was issued for another upload.' };
    if (parsed.expiresAt < Date.now() / 1000) return { ok: false, status: 403, error: 'Invalid according to Policy: Policy expired.' };
    if (upload.completed) return { ok: false, status: 409, error: 'This upload was already completed.' };
    return { ok: true, upload };
  }

  /** Store the uploaded file; it resolves by the slot's URI from now until its validity passes. */
  complete(upload: PendingUpload, bytes: Buffer, contentType: string): string {
    upload.completed = true;
    this.files.set(upload.runwayUri, { bytes, contentType, filename: upload.filename, uploadedAtSim: this.nowSim() });
    this.counters.completed += 1;
    this.counters.bytes += bytes.length;
    this.counters.largestBytes = Math.max(this.counters.largestBytes, bytes.length);
    return upload.runwayUri;
  }

  recordRejection(): void {
    this.counters.rejected += 1;
  }

  snapshot() {
    return { ...this.counters, usesByUri: { ...this.counters.usesByUri }, stored: this.files.size };
  }

  private sign(policy: string): string {
    return createHmac('sha256', this.secret).update(`upload-policy\n${policy}`).digest('hex');
  }
}
