import { ID_PATTERN } from './id-pattern';

/**
 * The name an editor reads in a bin: `<projectId>-s01-t2.mp4` (project, segment, take). The same name in
 * S3, in an export folder, and in every edit list, so a clip is found by name wherever it travels.
 */
export function clipFileName(projectId: string, segmentId: string, take: number, extension = 'mp4'): string {
  if (!/^[a-z0-9]{1,8}$/.test(extension)) throw new Error(`extension "${extension}" is not a file extension`);
  return `${takeName(projectId, segmentId, take)}.${extension}`;
}

/** `<projectId>-s01-t2`: a take's name without extension (its archived object's, its timeline clip's). */
export function takeName(projectId: string, segmentId: string, take: number): string {
  if (!ID_PATTERN.test(projectId)) throw new Error(`projectId "${projectId}" is not a safe file name part`);
  if (!ID_PATTERN.test(segmentId)) throw new Error(`segmentId "${segmentId}" is not a safe file name part`);
  if (!Number.isInteger(take) || take < 1) throw new Error(`take ${take} is not a take number (1, 2, …)`);
  return `${projectId}-${segmentId}-t${take}`;
}

/** A ratio's frame size ("1280:720" → 1280×720), as a timeline's sequence and clips are sized. */
export function ratioSize(ratio: string): { width: number; height: number } | Record<string, never> {
  const match = /^(\d+):(\d+)$/.exec(ratio);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : {};
}
