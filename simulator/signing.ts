import { createHmac, timingSafeEqual } from 'node:crypto';

/** The path of a task's output on the simulator's media origin. */
export function mediaPath(taskId: string, extension = 'mp4'): string {
  return `/media/${encodeURIComponent(taskId)}/output.${extension}`;
}

function signature(secret: string, pathname: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`${pathname}\n${expiresAt}`).digest('hex');
}

/** A signed URL valid until `expiresAt` (unix seconds, real time). */
export function signedMediaUrl(publicUrl: string, secret: string, taskId: string, expiresAt: number, extension = 'mp4'): string {
  const pathname = mediaPath(taskId, extension);
  const url = new URL(pathname, publicUrl);
  url.searchParams.set('exp', String(expiresAt));
  url.searchParams.set('sig', signature(secret, pathname, expiresAt));
  return url.toString();
}

export type SignatureCheck = 'valid' | 'expired' | 'bad_signature';

export function checkMediaSignature(secret: string, pathname: string, query: URLSearchParams, nowSeconds: number): SignatureCheck {
  const expiresAt = Number(query.get('exp'));
  const given = query.get('sig') ?? '';
  if (!Number.isInteger(expiresAt) || !/^[0-9a-f]{64}$/.test(given)) return 'bad_signature';
  const expected = Buffer.from(signature(secret, pathname, expiresAt), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return 'bad_signature';
  return expiresAt < nowSeconds ? 'expired' : 'valid';
}
