import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../schemas/failures';
import { RunwayHttpError, RunwayProtocolError } from './errors';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitStateChange {
  from: CircuitState;
  to: CircuitState;
  /** Consecutive failures seen when the change happened. */
  consecutiveFailures: number;
  /** The Runway operation whose outcome caused the change. */
  operation: string;
  /** When open: how long requests are refused, ms. */
  cooldownMs?: number;
  /** The error that opened (or re-opened) the circuit. */
  lastError?: string;
}

export interface CircuitBreakerOptions {
  /** Consecutive failures (5xx, network errors) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses requests before one probe may pass, ms. */
  cooldownMs: number;
  /** Told about every state change (log it; the worker's logger masks secrets). */
  onStateChange?: (change: CircuitStateChange) => void;
  now?: () => number;
}

/** Delay asked of callers refused while the half-open probe is in flight, ms (at most the cooldown). */
const PROBE_IN_FLIGHT_RETRY_MS = 1_000;

/**
 * A circuit breaker around the Runway client, shared by every activity of a worker process.
 * closed: requests pass; N consecutive failures open it. open: requests fail fast, without an HTTP call,
 * with a retryable RunwayCircuitOpen whose nextRetryDelay is the remaining cooldown. After the cooldown
 * the next request is the half-open probe: success closes the circuit, failure opens it again.
 * A 4xx answer counts as success: Runway is up and answering.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private lastError = '';
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1)
      throw new Error('failureThreshold must be a whole number ≥ 1');
    if (!(options.cooldownMs > 0)) throw new Error('cooldownMs must be > 0');
    this.now = options.now ?? Date.now;
  }

  /** The state as a caller sees it now (an open circuit whose cooldown has passed is half-open). */
  state(): CircuitState {
    if (this.current === 'open' && this.remainingCooldownMs() === 0) return 'half-open';
    return this.current;
  }

  /** Fits RunwayClientOptions.guard. */
  readonly guard = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    this.admit(operation);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      if (!countsAsFailure(error)) {
        this.recordSuccess(operation);
        throw error;
      }
      // The failure that opens the circuit asks for the cooldown too, not the retry policy's backoff.
      if (this.recordFailure(operation, error)) throw this.refusal(operation, this.options.cooldownMs);
      throw error;
    }
    this.recordSuccess(operation);
    return result;
  };

  /** Let the request through, or refuse it at once. */
  private admit(operation: string): void {
    if (this.current === 'closed') return;
    if (this.current === 'open' && this.remainingCooldownMs() > 0) throw this.refusal(operation, this.remainingCooldownMs());
    if (this.probeInFlight) throw this.refusal(operation, Math.min(PROBE_IN_FLIGHT_RETRY_MS, this.options.cooldownMs));
    this.probeInFlight = true;
    if (this.current === 'open') this.transition('half-open', operation);
  }

  private recordSuccess(operation: string): void {
    this.probeInFlight = false;
    this.consecutiveFailures = 0;
    if (this.current !== 'closed') this.transition('closed', operation);
  }

  /** Count a failure; true when it opened the circuit. */
  private recordFailure(operation: string, error: unknown): boolean {
    this.probeInFlight = false;
    this.consecutiveFailures += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
    const probeFailed = this.current === 'half-open';
    if (!probeFailed && !(this.current === 'closed' && this.consecutiveFailures >= this.options.failureThreshold)) return false;
    this.openedAt = this.now();
    this.transition('open', operation);
    return true;
  }

  private transition(to: CircuitState, operation: string): void {
    const from = this.current;
    this.current = to;
    this.options.onStateChange?.({
      from,
      to,
      consecutiveFailures: this.consecutiveFailures,
      operation,
      ...(to === 'open' ? { cooldownMs: this.options.cooldownMs, lastError: this.lastError } : {}),
    });
  }

  private remainingCooldownMs(): number {
    return Math.max(0, this.openedAt + this.options.cooldownMs - this.now());
  }

  private refusal(operation: string, retryInMs: number): ApplicationFailure {
    const state = this.current === 'open' ? 'open' : 'half-open, probe in flight';
    return ApplicationFailure.create({
      type: FailureType.RunwayCircuitOpen,
      message: `Runway circuit open (${state}) after ${this.consecutiveFailures} consecutive failures; retry ${operation} in ${Math.ceil(retryInMs / 1000)} s. Last error: ${this.lastError}`,
      nonRetryable: false,
      nextRetryDelay: retryInMs,
      details: [{ circuit: this.current, consecutiveFailures: this.consecutiveFailures, retryInMs, operation }],
    });
  }
}

/**
 * Runway down or unreachable: 5xx answers and anything that is not an HTTP answer (network, timeout).
 * An off-contract 200 is an answer: one odd task must not stop every other video's calls.
 */
export function countsAsFailure(error: unknown): boolean {
  if (error instanceof RunwayHttpError) return error.status >= 500;
  if (error instanceof RunwayProtocolError) return false;
  if (error instanceof ApplicationFailure) return false;
  return true;
}

/** Log lines for state changes: "Runway circuit open" as a warning, closing again as info. */
export function logCircuitChanges(logger: {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}) {
  return (change: CircuitStateChange): void => {
    const meta = { ...change, circuit: change.to };
    if (change.to === 'closed') logger.info('Runway circuit closed', meta);
    else logger.warn(`Runway circuit ${change.to}`, meta);
  };
}
