// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// FailureClass's schema is in runway.ts.
import type { FailureClass } from './runway';

/** How many times a video resubmits after `unknown` failures before it gives up. */
export const UNKNOWN_FAILURE_RESUBMISSIONS = 1;

export function classifyFailureCode(failureCode: string | undefined): FailureClass {
  if (failureCode === undefined || failureCode.trim() === '') return 'unknown';
  const segments = failureCode.trim().toUpperCase().split('.');
  if (segments.includes('SAFETY')) return 'moderation';
  if (segments[0] === 'INPUT_PREPROCESSING' || segments[0] === 'ASSET') return 'input';
  if (segments[0] === 'INTERNAL' && segments[1] === 'BAD_OUTPUT') return 'bad_output';
  return 'unknown';
}
