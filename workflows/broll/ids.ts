/**
 * A segment's take as a generation: take 1 under the plain id (a re-run reuses it), every other take
 * beside it. Take numbers run on across review rounds, so a take's id is never reused for another prompt.
 */
export function segmentTakeWorkflowId(projectId: string, segmentId: string, take: number): string {
  return take === 1 ? `${projectId}--${segmentId}` : `${projectId}--${segmentId}--t${take}`;
}
