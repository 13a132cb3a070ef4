/** A segment's generation: round 1 under the plain id (a re-run reuses it); each new round of a rejected segment beside it. */
export function segmentWorkflowId(projectId: string, segmentId: string, round: number): string {
  return round === 1 ? `${projectId}--${segmentId}` : `${projectId}--${segmentId}--r${round}`;
}
