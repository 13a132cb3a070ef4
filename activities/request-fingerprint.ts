import type { ResolvedGenerationRequest } from '../schemas';
import { requestFingerprint } from '../infra/request-fingerprint';

/**
 * A request changed inside a workflow (a reviewed item rejected with a new prompt, a voiceover redone with
 * new text) needs the same fingerprint the client computes; sha256 is node:crypto, so it is computed here,
 * not in workflow code.
 */
export function fingerprintRequest(request: ResolvedGenerationRequest): Promise<string> {
  return Promise.resolve(requestFingerprint(request));
}
