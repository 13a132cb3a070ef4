import { ApplicationFailure } from '@temporalio/common';
import { MAX_UPLOAD_BYTES } from '../../schemas';
import { createSafeFetch, type SafeFetch } from '../../infra/safe-fetch';
import { InputError } from '../input-error';
import { checkLocalImage, sniffImageType } from '../stage-image';

/**
 * The explainer's style reference image, checked before anything is spent: a local file (or data URI) must
 * be a PNG, JPEG or WebP within Runway's upload limit; an https URL is fetched once through the guarded
 * fetch (private networks refused, size and type bounded) and its first bytes must be an image too. Every
 * chunk's clip then starts from it (image_to_video), uploaded to Runway once per explainer.
 */
export type StyleImageSource = { kind: 'file'; source: string } | { kind: 'url'; url: string };

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
/** Enough of the body to recognise the format. */
const SNIFF_BYTES = 16;

/**
 * `fetch` fetches an https image; without one, a strict guarded fetch of its own is made for it and closed after
 * (never the process's shared one, which the worker's activities may be using).
 */
export async function checkStyleImage(source: string, baseDir: string, fetch?: SafeFetch): Promise<StyleImageSource> {
  if (/^https:\/\//i.test(source)) {
    const guarded = fetch ?? createSafeFetch();
    try {
      await checkRemote(source, guarded);
    } finally {
      if (!fetch) await guarded.close();
    }
    return { kind: 'url', url: source };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:\/\//i.test(source))
    throw new InputError('brief.styleImage', `${source}: a style image is a local file or an https URL`);
  try {
    await checkLocalImage(source, baseDir);
  } catch (error) {
    if (error instanceof InputError) throw new InputError('brief.styleImage', error.message.replace(/^promptImage: /, ''));
    throw error;
  }
  return { kind: 'file', source };
}

async function checkRemote(url: string, fetch: SafeFetch): Promise<void> {
  let head: Buffer;
  try {
    const response = await fetch(url, { maxBytes: MAX_UPLOAD_BYTES, allowedTypes: IMAGE_TYPES });
    if (response.status < 200 || response.status > 299) {
      response.body.destroy();
      throw new InputError('brief.styleImage', `${url} answered HTTP ${response.status}, not an image`);
    }
    head = await firstBytes(response.body, SNIFF_BYTES);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // The guard's refusals (a private address, a wrong type, too large) are the user's input: say so, in its words.
    if (error instanceof ApplicationFailure) throw new InputError('brief.styleImage', `${url}: ${error.message}`);
    throw new InputError('brief.styleImage', `${url} could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!sniffImageType(head)) throw new InputError('brief.styleImage', `${url} is not a PNG, JPEG or WebP image`);
}

async function firstBytes(body: NodeJS.ReadableStream & { destroy(): void }, count: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      parts.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= count) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts);
}
