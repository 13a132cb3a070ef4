import { ID_PATTERN } from './id-pattern';

const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Every object the product writes, under the archive prefix and the workload's id; each key refuses anything
 * that could leave the prefix.
 */

/** A generation's output: `<prefix><workloadId>/<generationKey>/<taskId>.<extension>` (mp4 for a video, mp3 or wav for speech). */
export function generationObjectKey(prefix: string, workloadId: string, generationKey: string, taskId: string, extension = 'mp4'): string {
  assertSegment('workloadId', workloadId, ID_PATTERN);
  assertSegment('generationKey', generationKey, ID_PATTERN);
  assertSegment('Runway task id or output name', taskId, TASK_ID_PATTERN);
  assertSegment('extension', extension, /^[a-z0-9]{1,8}$/);
  return `${normalizedPrefix(prefix)}${workloadId}/${generationKey}/${taskId}.${extension}`;
}

/** A workload's manifest index: `<prefix><workloadId>/manifest.json`. */
export function manifestObjectKey(prefix: string, workloadId: string): string {
  assertSegment('workloadId', workloadId, ID_PATTERN);
  return `${normalizedPrefix(prefix)}${workloadId}/manifest.json`;
}

/** `<prefix><projectId>/edit-list.{edl,csv,json}`: a B-roll project's edit list beside its clips. */
export function editListObjectKeys(prefix: string, projectId: string): { edlKey: string; csvKey: string; jsonKey: string; xmlKey: string } {
  assertSegment('projectId', projectId, ID_PATTERN);
  const base = `${normalizedPrefix(prefix)}${projectId}/edit-list`;
  return { edlKey: `${base}.edl`, csvKey: `${base}.csv`, jsonKey: `${base}.json`, xmlKey: `${base}.xml` };
}

/** `<prefix><projectId>/contact-sheet.jpg`: a frame of every take of the project, one image. */
export function contactSheetObjectKey(prefix: string, projectId: string): string {
  assertSegment('projectId', projectId, ID_PATTERN);
  return `${normalizedPrefix(prefix)}${projectId}/contact-sheet.jpg`;
}

/** `<prefix><explainerId>/explainer.mp4|.vtt|.zip`: an explainer's assembled MP4, its subtitles and its SCORM package, derived from the explainer alone. */
export function explainerObjectKeys(prefix: string, explainerId: string): { mp4Key: string; vttKey: string; packageKey: string } {
  assertSegment('explainerId', explainerId, ID_PATTERN);
  const base = `${normalizedPrefix(prefix)}${explainerId}/explainer`;
  return { mp4Key: `${base}.mp4`, vttKey: `${base}.vtt`, packageKey: `${base}.zip` };
}

/** A workload's staged input (a prompt image) by its content: `<prefix><workloadId>/inputs/<sha256>.<extension>`. */
export function stagedImageKey(prefix: string, workloadId: string, sha256: string, extension: string): string {
  assertSegment('workloadId', workloadId, ID_PATTERN);
  return `${normalizedPrefix(prefix)}${workloadId}/inputs/${sha256}.${extension}`;
}

/** A part of a large campaign's resolved variants by its content: `<prefix><campaignId>/inputs/variants/<sha256>.jsonl`. */
export function variantPartKey(prefix: string, campaignId: string, sha256: string): string {
  assertSegment('campaignId', campaignId, ID_PATTERN);
  return `${normalizedPrefix(prefix)}${campaignId}/inputs/variants/${sha256}.jsonl`;
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
