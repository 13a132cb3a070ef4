import { isIP } from 'node:net';
import { MAX_DATA_URI_BYTES, MAX_IMAGE_URL_LENGTH } from './contract';
import type { UploadStore } from './uploads';

/**
 * Checks one image URI as Runway's API does (docs "Inputs"): an HTTPS URL on a domain name of at most
 * 2048 characters, a `runway://` upload URI the uploads API issued and that has not expired, or a base64 data URI of png/jpeg/webp whose whole encoded
 * length is under 5 MB and whose bytes really are that type. Returns a reason, or undefined when fine.
 * The simulator does not fetch URLs (Runway HEADs them); it only checks their form.
 */
export function imageUriProblem(uri: string, uploads: Pick<UploadStore, 'resolve'>): string | undefined {
  if (/^data:/i.test(uri)) return dataUriProblem(uri);
  if (/^runway:/i.test(uri)) return uploads.resolve(uri) ? undefined : `unknown or expired upload URI: ${uri}`;
  return httpsUrlProblem(uri);
}

const DATA_URI = /^data:image\/(png|jpeg|webp);base64,([A-Za-z0-9+/]*={0,2})$/;

function dataUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_DATA_URI_BYTES) return `data URI is ${uri.length} bytes; the limit is ${MAX_DATA_URI_BYTES} (5 MB, encoded)`;
  const match = DATA_URI.exec(uri);
  if (!match) return 'invalid data URI; expected data:image/(png|jpeg|webp);base64,<data>';
  const [, type = '', payload = ''] = match;
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length === 0) return 'data URI holds no data';
  if (!MAGIC_CHECKS[type]?.(bytes)) return `data URI says image/${type} but its bytes are not a ${type} image`;
  return undefined;
}

const MAGIC_CHECKS: Record<string, (bytes: Buffer) => boolean> = {
  png: (bytes) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  jpeg: (bytes) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff,
  webp: (bytes) => bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP',
};

function httpsUrlProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'invalid URL; expected an https:// URL, a runway:// URI or a data URI';
  }
  if (url.protocol !== 'https:') return `only HTTPS URLs are allowed (got ${url.protocol.replace(':', '')}://)`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return 'URLs must be hosted on a domain name, not an IP address';
  if (uri.length > MAX_IMAGE_URL_LENGTH) return `URL is ${uri.length} characters; the limit is ${MAX_IMAGE_URL_LENGTH}`;
  return undefined;
}
