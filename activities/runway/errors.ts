import { ApplicationFailure } from '@temporalio/common';

import { FailureType, NON_RETRYABLE_RUNWAY_TYPES } from '../../schemas/failures';

/** An HTTP answer from Runway that is not a success. */
export class RunwayHttpError extends Error {
  override readonly name = 'RunwayHttpError';
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly retryAfterMs: number | undefined,
    readonly operation: string,
  ) {
    super(`Runway ${operation} answered ${status}: ${apiMessage}`);
  }
}

/**
 * A success answer (2xx) whose body is not what the contract says (not JSON, an undocumented status, a
 * missing field). Not an outage: Runway is up and answering, so it never counts for the circuit breaker.
 * Not retryable either: the same request gets the same answer, and the call may already have had its effect.
 */
export class RunwayProtocolError extends Error {
  override readonly name = 'RunwayProtocolError';
  constructor(
    readonly operation: string,
    /** Dotted path of the offending field ('' for the whole body). */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`Runway ${operation} answered 200 with a body off the API contract: ${field ? `field "${field}"` : 'the body'}: ${problem}`);
  }
}

export function failureTypeForStatus(status: number): string {
  if (status === 400 || status === 422) return FailureType.RunwayBadRequest;
  if (status === 401 || status === 403) return FailureType.RunwayUnauthorized;
  if (status === 404) return FailureType.RunwayNotFound;
  if (status === 405) return FailureType.RunwayMethodNotAllowed;
  if (status === 429) return FailureType.RunwayRateLimited;
  return FailureType.RunwayUnavailable;
}

/** Parse a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Turn any error from the Runway client into a typed ApplicationFailure: 4xx (but 429) never retry and
 * carry the API's text; 429/5xx/network errors retry under the activity's retry policy, with
 * Retry-After honoured through nextRetryDelay.
 */
export function toApplicationFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof RunwayHttpError) {
    const type = failureTypeForStatus(error.status);
    return ApplicationFailure.create({
      type,
      message: error.message,
      nonRetryable: NON_RETRYABLE_RUNWAY_TYPES.includes(type),
      details: [{ status: error.status, apiMessage: error.apiMessage }],
      nextRetryDelay: error.retryAfterMs,
    });
  }
  if (error instanceof RunwayProtocolError) {
    return ApplicationFailure.create({
      type: FailureType.RunwayProtocolError,
      message: error.message,
      nonRetryable: true,
      details: [{ operation: error.operation, field: error.field, problem: error.problem }],
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.create({ type: FailureType.RunwayNetworkError, message: `Runway request failed: ${message}` });
}
