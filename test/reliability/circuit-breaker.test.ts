import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { CircuitBreaker, logCircuitChanges, type CircuitStateChange } from '../../activities/runway/circuit-breaker';
import { RunwayClient } from '../../activities/runway/client';
import type { GenerationResult } from '../../schemas';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats, updateSimulator } from '../helpers/simulator-admin';
import { pollUntil } from '../helpers/poll';
import { testStack } from '../helpers/stack';

const FAILURE_THRESHOLD = 3;
const COOLDOWN_MS = 2_000;
const OUTAGE_MS = 12_000;
/** 3 000 simulated seconds at 600× : each task runs 5 s real, so polls are in flight when Runway goes down. */
const SLOW_GENERATION = { generationSeconds: { kind: 'fixed', seconds: 3_000 } };
const OPTIONS = { ...FAST_OPTIONS, maxRunningWait: '2m' };

const changes: CircuitStateChange[] = [];
const logLines: string[] = [];
let breaker: CircuitBreaker;
let product: RunningProduct;

beforeAll(async () => {
  const log = logCircuitChanges({
    info: (message, meta) => logLines.push(`info ${message} ${JSON.stringify(meta)}`),
    warn: (message, meta) => logLines.push(`warn ${message} ${JSON.stringify(meta)}`),
  });
  breaker = new CircuitBreaker({
    failureThreshold: FAILURE_THRESHOLD,
    cooldownMs: COOLDOWN_MS,
    onStateChange: (change) => {
      changes.push(change);
      log(change);
    },
  });
  const runway = new RunwayClient({
    baseUrl: testStack().runwayBaseUrl,
    apiSecret: testStack().runwayApiSecret,
    requestTimeoutMs: 10_000,
    guard: breaker.guard,
  });
  product = await startProduct({ name: 'breaker', deps: { runway } });
});
afterAll(async () => {
  await updateSimulator({ faults: { serverErrorRate: { post: 0, get: 0, delete: 0 } } }).catch(() => undefined);
  await product?.stop();
});

/** Every request the simulator's /v1 API received, answered or not. */
async function runwayRequests(): Promise<number> {
  const { requests } = await simulatorStats();
  return requests.creates + requests.gets + requests.deletes + requests.organization;
}

/** The last failure of the workflow's pending activity, as the Web UI shows it. */
async function pendingActivityFailure(handle: WorkflowHandle): Promise<{ type?: string; message?: string } | undefined> {
  const description = await handle.describe();
  const failure = description.raw.pendingActivities?.find((activity) => activity.lastFailure)?.lastFailure;
  return failure ? { type: failure.applicationFailureInfo?.type ?? undefined, message: failure.message ?? undefined } : undefined;
}

function startVideo(videoId: string) {
  return product.api.generations.startVideo({
    videoId,
    model: 'gen4.5',
    promptText: `A lighthouse in a storm, take ${videoId}`,
    ratio: '1280:720',
    duration: 5,
    options: OPTIONS,
  });
}

test('a Runway outage opens the circuit: bounded requests, visible state, and every video completes by itself once Runway is back', async () => {
  await resetSimulator(SLOW_GENERATION);
  const running = await Promise.all(['poll-a', 'poll-b', 'poll-c'].map(startVideo));
  await pollUntil(
    '3 submissions',
    async () => (await simulatorStats()).submissions.total,
    (total) => total === 3,
    30_000,
    200,
  );

  // Runway down: every POST, GET and DELETE answers 502/503/504.
  await updateSimulator({ faults: { serverErrorRate: { post: 1, get: 1, delete: 1 } } });
  const outageStartedAt = Date.now();
  const requestsBefore = await runwayRequests();
  const submittedDuringOutage = await startVideo('submit-during-outage');
  await pollUntil(
    'the circuit to open',
    async () => breaker.state(),
    (state) => state !== 'closed',
    10_000,
    200,
  );
  let visibleFailure: { type?: string; message?: string } | undefined;
  await pollUntil(
    'the open circuit to show as the pending activity failure',
    async () => {
      visibleFailure = await pendingActivityFailure(submittedDuringOutage);
      return visibleFailure?.type === 'RunwayCircuitOpen';
    },
    Boolean,
    OUTAGE_MS,
    200,
  );
  await delay(Math.max(0, OUTAGE_MS - (Date.now() - outageStartedAt)));
  const requestsDuringOutage = (await runwayRequests()) - requestsBefore;
  const outageMs = Date.now() - outageStartedAt;

  await updateSimulator({ faults: { serverErrorRate: { post: 0, get: 0, delete: 0 } } });
  const restoredAt = Date.now();
  const results: GenerationResult[] = await Promise.all([...running, submittedDuringOutage].map((handle) => handle.result()));
  const recoveryMs = Date.now() - restoredAt;
  const stats = await simulatorStats();

  // Bounded: the failures that open it, the callers already on the wire, one probe per cooldown.
  const inFlightCallers = 4;
  const bound = FAILURE_THRESHOLD + inFlightCallers + Math.ceil(outageMs / COOLDOWN_MS) + 1;
  console.log(
    `circuit breaker: ${requestsDuringOutage} Runway requests in a ${outageMs} ms outage (bound ${bound}); recovered in ${recoveryMs} ms; transitions ${changes.map((change) => change.to).join(' → ')}`,
  );
  expect(requestsDuringOutage).toBeLessThanOrEqual(bound);

  expect(visibleFailure?.message).toMatch(/^Runway circuit open/);
  expect(changes[0]).toMatchObject({ from: 'closed', to: 'open' });
  expect(changes.map((change) => change.to)).toContain('half-open');
  expect(changes.at(-1)).toMatchObject({ to: 'closed' });
  expect(breaker.state()).toBe('closed');
  expect(logLines[0]).toMatch(/^warn Runway circuit open .*"circuit":"open"/);
  expect(logLines.at(-1)).toMatch(/^info Runway circuit closed/);

  // Nothing lost, nothing doubled: one POST per video, the polled tasks resumed, not resubmitted.
  expect(results.map((result) => result.submissions)).toEqual([1, 1, 1, 1]);
  expect(stats.submissions.total).toBe(4);
  expect(recoveryMs).toBeLessThan(COOLDOWN_MS + 15_000);
}, 120_000);
