// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// The review room's schemas are in review.ts.

/** An item's states in review (reviewStateSchema). */
export const REVIEW_STATES = ['generating', 'awaiting-review', 'approved', 'failed'] as const;

/**
 * A take's seed: distinct per take, the same on every run of the same project (a re-run asks for the same
 * takes), within Runway's 0…4294967295. FNV-1a of the workload, item and take.
 */
export function takeSeed(workloadId: string, key: string, take: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${workloadId}/${key}/t${take}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
