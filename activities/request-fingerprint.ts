import type { ResolvedVideoRequest } from '../schemas';
import { requestFingerprint } from '../infra/request-fingerprint';

/**
 * A request changed inside a workflow (a B-roll segment rejected with a new prompt) needs the same
 * fingerprint the client computes; sha256 is node:crypto, so it is computed here, not in workflow code.
 */
export function fingerprintRequest(request: ResolvedVideoRequest): Promise<string> {
  return Promise.resolve(requestFingerprint(request));
}
