import { ID_PATTERN } from './ids';

const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `<prefix><campaignId>/<variantId>/<taskId>.<extension>` (mp4 for a video, mp3 or wav for speech),
 * refusing anything that could leave the prefix.
 */
export function videoObjectKey(prefix: string, campaignId: string, variantId: string, taskId: string, extension = 'mp4'): string {
  assertSegment('campaignId', campaignId, ID_PATTERN);
  assertSegment('variantId', variantId, ID_PATTERN);
  assertSegment('Runway task id', taskId, TASK_ID_PATTERN);
  assertSegment('extension', extension, /^[a-z0-9]{1,8}$/);
  return `${normalizedPrefix(prefix)}${campaignId}/${variantId}/${taskId}.${extension}`;
}

export function manifestObjectKey(prefix: string, campaignId: string): string {
  assertSegment('campaignId', campaignId, ID_PATTERN);
  return `${normalizedPrefix(prefix)}${campaignId}/manifest.json`;
}

/** `<prefix><projectId>/edit-list.{edl,csv,json}`: a B-roll project's edit list beside its clips. */
export function editListObjectKeys(prefix: string, projectId: string): { edlKey: string; csvKey: string; jsonKey: string } {
  assertSegment('projectId', projectId, ID_PATTERN);
  const base = `${normalizedPrefix(prefix)}${projectId}/edit-list`;
  return { edlKey: `${base}.edl`, csvKey: `${base}.csv`, jsonKey: `${base}.json` };
}

export function stagedImageKey(prefix: string, campaignId: string, sha256: string, extension: string): string {
  assertSegment('campaignId', campaignId, ID_PATTERN);
  return `${normalizedPrefix(prefix)}${campaignId}/inputs/${sha256}.${extension}`;
}

function normalizedPrefix(prefix: string): string {
  if (prefix.startsWith('/') || prefix.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`archive prefix "${prefix}" would escape the bucket's prefix`);
  }
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function assertSegment(what: string, value: string, pattern: RegExp): void {
  if (!pattern.test(value)) throw new Error(`${what} "${value}" is not a safe object key segment`);
}
