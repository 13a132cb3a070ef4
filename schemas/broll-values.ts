// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// The B-roll schemas and types are in broll.ts.
import { clipFileName } from './clip-name';
import type { EditListSegment, SegmentReview } from './broll';
import type { ReviewTake } from './review';

/**
 * A segment as the edit list lists it, from the review room: the take it delivers (named as editors read
 * it), or none (a gap). The workflow's finalize and the client's export build it alike.
 */
export function editListSegment(
  projectId: string,
  item: SegmentReview,
  take: ReviewTake | undefined,
  approval: 'approved' | 'unapproved',
  size: { width?: number; height?: number } = {},
): EditListSegment {
  const output = take?.output;
  return {
    segmentId: item.segmentId,
    recordInMs: item.recordInMs,
    recordOutMs: item.recordOutMs,
    text: item.text,
    promptText: take?.promptText ?? item.promptText,
    round: take?.round ?? item.round,
    approval: output ? approval : 'missing',
    ...(take && output
      ? {
          clip: {
            name: clipFileName(projectId, item.segmentId, take.take),
            take: take.take,
            key: output.key,
            sha256: output.sha256,
            durationSeconds: output.durationSeconds,
            ...size,
          },
        }
      : {}),
  };
}
