import { ID_PATTERN } from './id-pattern';

/** Longest schedule id whose runs' ids ("<id>-2025-01-31T09:00:00Z") still fit the 64-character id pattern. */
export const MAX_SCHEDULE_ID_LENGTH = 43;

/**
 * The campaign id of a scheduled run, from the workflow id Temporal gives it: the schedule's workflow id
 * plus "-<RFC3339 scheduled time>". Characters the id pattern forbids (":", ".", "+") become "-", so
 * "nightly-2025-01-31T09:00:00Z" → "nightly-2025-01-31T09-00-00Z". Deterministic: a retried run gets the
 * same id, so its children (and their archived videos) are the same ones.
 */
export function campaignIdFromWorkflowId(workflowId: string): string {
  const sanitised = workflowId.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[-_]+/, '');
  if (ID_PATTERN.test(sanitised)) return sanitised;
  // Too long (a schedule created elsewhere): keep the head readable and the whole id in a hash.
  return `${sanitised.slice(0, 55) || 'run'}-${fnv1a32(workflowId)}`;
}

/** 32-bit FNV-1a as 8 hex digits: deterministic, no crypto needed inside workflow code. */
function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
