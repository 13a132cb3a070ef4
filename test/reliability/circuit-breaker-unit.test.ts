import { ApplicationFailure } from '@temporalio/common';
import { CircuitBreaker, logCircuitChanges, type CircuitStateChange } from '../../activities/runway/circuit-breaker';
import { RunwayHttpError } from '../../activities/runway/errors';

/** A breaker on a clock the test moves by hand, with its state changes recorded. */
function breakerOnFakeClock(failureThreshold = 3, cooldownMs = 10_000) {
  const clock = { now: 1_000_000 };
  const changes: CircuitStateChange[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    cooldownMs,
    now: () => clock.now,
    onStateChange: (change) => changes.push(change),
  });
  return { breaker, clock, changes };
}

const unavailable = () => Promise.reject(new RunwayHttpError(503, 'Service Unavailable', undefined, 'get task'));
const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8787'), { code: 'ECONNREFUSED' }));
const badRequest = () => Promise.reject(new RunwayHttpError(400, 'Invalid ratio', undefined, 'create text_to_video'));
const ok = () => Promise.resolve('ok');

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Run calls through the guard, counting how many reached "Runway". */
async function callMany(
  breaker: CircuitBreaker,
  count: number,
  call: () => Promise<unknown>,
): Promise<{ sent: number; errors: unknown[] }> {
  let sent = 0;
  const errors: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const error = await caught(
      breaker.guard('get task', () => {
        sent += 1;
        return call();
      }),
    );
    if (error !== undefined) errors.push(error);
  }
  return { sent, errors };
}

test('closed: failures below the threshold pass through unchanged and a success resets the count', async () => {
  const { breaker, changes } = breakerOnFakeClock(3);
  const { errors } = await callMany(breaker, 2, unavailable);
  expect(errors.every((error) => error instanceof RunwayHttpError)).toBe(true);
  await expect(breaker.guard('get task', ok)).resolves.toBe('ok');
  await callMany(breaker, 2, unavailable);
  expect(breaker.state()).toBe('closed');
  expect(changes).toEqual([]);
});

test('4xx answers are not failures: Runway is up; they reset the count and keep the circuit closed', async () => {
  const { breaker } = breakerOnFakeClock(2);
  await callMany(breaker, 1, unavailable);
  const { errors } = await callMany(breaker, 1, badRequest);
  await callMany(breaker, 1, unavailable);
  expect(errors[0]).toBeInstanceOf(RunwayHttpError);
  expect(breaker.state()).toBe('closed');
});

test('N consecutive 5xx or network failures open it; the opening failure asks for the cooldown', async () => {
  const { breaker, changes } = breakerOnFakeClock(3, 10_000);
  await callMany(breaker, 2, unavailable);
  const opening = await caught(breaker.guard('get task', refused));
  expect(breaker.state()).toBe('open');
  expect(opening).toBeInstanceOf(ApplicationFailure);
  expect((opening as ApplicationFailure).type).toBe('RunwayCircuitOpen');
  expect((opening as ApplicationFailure).nextRetryDelay).toBe(10_000);
  expect((opening as ApplicationFailure).message).toMatch(/Runway circuit open .*3 consecutive failures.*ECONNREFUSED/);
  expect(changes).toEqual([expect.objectContaining({ from: 'closed', to: 'open', consecutiveFailures: 3, cooldownMs: 10_000 })]);
});

test('open: calls fail fast without reaching Runway, retryable, nextRetryDelay = remaining cooldown', async () => {
  const { breaker, clock } = breakerOnFakeClock(3, 10_000);
  await callMany(breaker, 3, unavailable);
  clock.now += 4_000;
  const { sent, errors } = await callMany(breaker, 50, ok);
  expect(sent).toBe(0);
  expect(errors).toHaveLength(50);
  const failure = errors[0] as ApplicationFailure;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure.type).toBe('RunwayCircuitOpen');
  expect(failure.nonRetryable).toBe(false);
  expect(failure.nextRetryDelay).toBe(6_000);
  expect(failure.message).toContain('Runway circuit open');
});

test('after the cooldown exactly one probe passes (half-open); others are refused while it is in flight', async () => {
  const { breaker, clock, changes } = breakerOnFakeClock(3, 10_000);
  await callMany(breaker, 3, unavailable);
  clock.now += 10_000;
  expect(breaker.state()).toBe('half-open');
  let releaseProbe!: (value: string) => void;
  let sent = 0;
  const probe = breaker.guard('get task', () => {
    sent += 1;
    return new Promise<string>((resolve) => (releaseProbe = resolve));
  });
  const others = await callMany(breaker, 5, ok);
  expect(sent).toBe(1);
  expect(others.sent).toBe(0);
  expect((others.errors[0] as ApplicationFailure).type).toBe('RunwayCircuitOpen');
  expect((others.errors[0] as ApplicationFailure).nextRetryDelay).toBe(1_000);
  releaseProbe('ok');
  await expect(probe).resolves.toBe('ok');
  expect(breaker.state()).toBe('closed');
  expect(changes.map((change) => change.to)).toEqual(['open', 'half-open', 'closed']);
  expect((await callMany(breaker, 3, ok)).sent).toBe(3);
});

test('a failed probe opens the circuit for another full cooldown', async () => {
  const { breaker, clock, changes } = breakerOnFakeClock(3, 10_000);
  await callMany(breaker, 3, unavailable);
  clock.now += 10_000;
  const probeError = await caught(breaker.guard('create image_to_video', unavailable));
  expect((probeError as ApplicationFailure).type).toBe('RunwayCircuitOpen');
  expect((probeError as ApplicationFailure).nextRetryDelay).toBe(10_000);
  expect(breaker.state()).toBe('open');
  clock.now += 9_999;
  expect((await callMany(breaker, 10, ok)).sent).toBe(0);
  clock.now += 1;
  expect((await callMany(breaker, 1, ok)).sent).toBe(1);
  expect(breaker.state()).toBe('closed');
  expect(changes.map((change) => change.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
});

test('a long outage costs threshold + one probe per cooldown, however many callers there are', async () => {
  const { breaker, clock } = breakerOnFakeClock(5, 30_000);
  let sent = 0;
  const down = () => {
    sent += 1;
    return unavailable();
  };
  // 60 s outage, 10 callers polling every 100 ms, 10 ms apart: 6 000 calls without a breaker.
  for (let tick = 0; tick <= 6_000; tick++) {
    await caught(breaker.guard('get task', down));
    clock.now += 10;
  }
  // 5 failures open it at 40 ms; one probe at 30.04 s fails; the next would be due at 60.04 s.
  expect(sent).toBe(5 + 1);
});

test('callers already in flight when it opens are the only extra requests', async () => {
  const { breaker, clock } = breakerOnFakeClock(5, 30_000);
  let sent = 0;
  const down = () => {
    sent += 1;
    return unavailable();
  };
  // 10 callers at the same instant, every 100 ms, for 60 s: the first burst of 10 is already on the wire.
  for (let tick = 0; tick <= 600; tick++) {
    await Promise.all(Array.from({ length: 10 }, () => caught(breaker.guard('get task', down))));
    clock.now += 100;
  }
  // Opened by the first burst at 0 s; probes at 30 s and 60 s.
  expect(sent).toBe(10 + 2);
});

test('state changes are logged: open and half-open as warnings naming the state, closed as info', () => {
  const lines: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  const logger = {
    info: (message: string, meta?: Record<string, unknown>) => lines.push({ level: 'info', message, meta }),
    warn: (message: string, meta?: Record<string, unknown>) => lines.push({ level: 'warn', message, meta }),
  };
  const log = logCircuitChanges(logger);
  log({
    from: 'closed',
    to: 'open',
    consecutiveFailures: 5,
    operation: 'get task',
    cooldownMs: 30_000,
    lastError: 'Runway get task answered 503',
  });
  log({ from: 'open', to: 'half-open', consecutiveFailures: 5, operation: 'get task' });
  log({ from: 'half-open', to: 'closed', consecutiveFailures: 0, operation: 'get task' });
  expect(lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
    'warn Runway circuit open',
    'warn Runway circuit half-open',
    'info Runway circuit closed',
  ]);
  expect(lines[0]?.meta).toMatchObject({ circuit: 'open', cooldownMs: 30_000, consecutiveFailures: 5 });
});

test('rejects a nonsensical configuration', () => {
  expect(() => new CircuitBreaker({ failureThreshold: 0, cooldownMs: 1000 })).toThrow(/failureThreshold/);
  expect(() => new CircuitBreaker({ failureThreshold: 3, cooldownMs: 0 })).toThrow(/cooldownMs/);
});
