import {
  acquireLeaseSignal,
  leasePoolWorkflowId,
  leasesQuery,
  releaseLeaseSignal,
  reservedLeaseId,
  type LeasePoolState,
  type LeaseRequest,
} from '../../workflows/messages';
import { GenerationLeasePoolWorkflow } from '../../workflows/lease-pool';
import { pollUntil } from '../helpers/poll';
import { startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator } from '../helpers/simulator-admin';

let product: RunningProduct;
/** A running workflow that stands in for video workflows receiving grants (a pool cannot signal itself). */
let holderId: string;
let holderRunId: string;

beforeAll(async () => {
  await resetSimulator();
  product = await startProduct({ name: 'leases', cap: 1 });
  holderId = leasePoolWorkflowId(`${product.taskQueue}-holder`);
  const holder = await product.client.workflow.start(GenerationLeasePoolWorkflow, {
    workflowId: holderId,
    taskQueue: product.taskQueue,
    args: [{ usage: {}, holders: [], waiting: [] }],
  });
  holderRunId = holder.firstExecutionRunId;
});
afterAll(async () => {
  await product.client.workflow.getHandle(holderId).terminate();
  await product.stop();
});

/** A pool on the product's queue: its capacity is the workspace's, under the product's ceiling of 1. */
async function requestLease(poolId: string, request: Omit<LeaseRequest, 'model' | 'credits'> & { model?: string }) {
  const initial: LeasePoolState = { usage: {}, holders: [], waiting: [] };
  return product.client.workflow.signalWithStart(GenerationLeasePoolWorkflow, {
    workflowId: poolId,
    taskQueue: product.taskQueue,
    args: [initial],
    signal: acquireLeaseSignal,
    signalArgs: [{ model: 'gen4.5', credits: 60, ...request }],
  });
}

test('grants up to the capacity, queues the rest first come first served, and hands a released lease on', async () => {
  const poolId = leasePoolWorkflowId(`${product.taskQueue}-fifo`);
  const pool = await requestLease(poolId, { leaseId: 'a', workflowId: holderId, runId: holderRunId, leaseTtlMs: 60_000 });
  await requestLease(poolId, { leaseId: 'b', workflowId: holderId, runId: holderRunId, leaseTtlMs: 60_000 });
  await requestLease(poolId, { leaseId: 'c', workflowId: holderId, runId: holderRunId, leaseTtlMs: 60_000 });
  await pollUntil('the pool state', async () => (await pool.query(leasesQuery)).waiting.length === 2, Boolean, 10_000, 100);
  expect((await pool.query(leasesQuery)).holders.map((lease) => lease.leaseId)).toEqual(['a']);
  await pool.signal(releaseLeaseSignal, { leaseId: 'a' });
  await pollUntil('the pool state', async () => (await pool.query(leasesQuery)).holders[0]?.leaseId === 'b', Boolean, 10_000, 100);
  expect((await pool.query(leasesQuery)).waiting.map((request) => request.leaseId)).toEqual(['c']);
  await pool.terminate();
});

test('a lease past its TTL whose holder is still running is renewed, not reclaimed', async () => {
  const poolId = leasePoolWorkflowId(`${product.taskQueue}-renew`);
  const { runId } = await product.client.workflow.getHandle(holderId).describe();
  const pool = await requestLease(poolId, { leaseId: 'kept', workflowId: holderId, runId, leaseTtlMs: 300 });
  await requestLease(poolId, { leaseId: 'next', workflowId: holderId, runId: holderRunId, leaseTtlMs: 60_000 });
  await pollUntil('the pool state', async () => ((await pool.query(leasesQuery)).renewedLeases ?? 0) >= 3, Boolean, 10_000, 100);
  const state = await pool.query(leasesQuery);
  expect(state.holders.map((lease) => lease.leaseId)).toEqual(['kept']);
  expect(state.waiting.map((request) => request.leaseId)).toEqual(['next']);
  expect(state.reclaimedLeases).toBe(0);
  await pool.terminate();
});

test('a lease whose holder has ended is reclaimed once past its TTL, and the next waiter gets the slot', async () => {
  const poolId = leasePoolWorkflowId(`${product.taskQueue}-ttl`);
  const goneId = `${poolId}-gone-holder`;
  const gone = await product.client.workflow.start(GenerationLeasePoolWorkflow, {
    workflowId: goneId,
    taskQueue: product.taskQueue,
    args: [{ usage: {}, holders: [], waiting: [] }],
  });
  const pool = await requestLease(poolId, { leaseId: 'forgotten', workflowId: goneId, runId: gone.firstExecutionRunId, leaseTtlMs: 500 });
  await requestLease(poolId, { leaseId: 'next', workflowId: holderId, runId: holderRunId, leaseTtlMs: 60_000 });
  await pollUntil(
    'the pool state',
    async () => (await pool.query(leasesQuery)).holders.map((lease) => lease.leaseId).join() === 'forgotten',
    Boolean,
    10_000,
    100,
  );
  await gone.terminate();
  await pollUntil(
    'the pool state',
    async () => (await pool.query(leasesQuery)).holders.map((lease) => lease.leaseId).join() === 'next',
    Boolean,
    10_000,
    100,
  );
  expect((await pool.query(leasesQuery)).reclaimedLeases).toBe(1);
  await pool.terminate();
});

test('a grant to a workflow that no longer exists is reclaimed at once', async () => {
  const poolId = leasePoolWorkflowId(`${product.taskQueue}-ghost`);
  const pool = await requestLease(poolId, { leaseId: 'ghost', workflowId: 'no-such-workflow', runId: 'no-such-run', leaseTtlMs: 60_000 });
  await requestLease(poolId, { leaseId: 'alive', workflowId: holderId, runId: holderRunId, leaseTtlMs: 60_000 });
  await pollUntil(
    'the pool state',
    async () => (await pool.query(leasesQuery)).holders.map((lease) => lease.leaseId).join() === 'alive',
    Boolean,
    10_000,
    100,
  );
  await pool.terminate();
});

test('by class, then round-robin by workload: an interactive request takes the next freed slot, two batch workloads alternate', async () => {
  const poolId = leasePoolWorkflowId(`${product.taskQueue}-priority`);
  const lease = (leaseId: string, priority: 'interactive' | 'batch', workload: string) =>
    requestLease(poolId, { leaseId, workflowId: holderId, runId: holderRunId, leaseTtlMs: 60_000, priority, workload });
  const pool = await lease('running', 'batch', 'campaign-a');
  for (const id of ['a1', 'a2', 'a3']) await lease(id, 'batch', 'campaign-a');
  for (const id of ['b1', 'b2']) await lease(id, 'batch', 'campaign-b');
  await lease('editor', 'interactive', 'broll-project');
  await pollUntil('the pool state', async () => (await pool.query(leasesQuery)).waiting.length === 6, Boolean, 10_000, 100);
  const granted: string[] = [];
  for (let holder = 'running'; granted.length < 6;) {
    await pool.signal(releaseLeaseSignal, { leaseId: holder });
    const next = await pollUntil(
      'the next grant',
      async () => (await pool.query(leasesQuery)).holders[0]?.leaseId,
      (leaseId) => leaseId !== undefined && leaseId !== holder,
      10_000,
      50,
    );
    granted.push(next!);
    holder = next!;
  }
  expect(granted).toEqual(['editor', 'a1', 'b1', 'a2', 'b2', 'a3']);
  await pool.terminate();
});

/** A second running stand-in: the generation a reservation is for (grants to it must land, or the pool reclaims them). */
async function standIn(name: string): Promise<{ workflowId: string; runId: string; stop: () => Promise<void> }> {
  const workflowId = leasePoolWorkflowId(`${product.taskQueue}-${name}`);
  const handle = await product.client.workflow.start(GenerationLeasePoolWorkflow, {
    workflowId,
    taskQueue: product.taskQueue,
    args: [{ usage: {}, holders: [], waiting: [] }],
  });
  return { workflowId, runId: handle.firstExecutionRunId, stop: async () => void (await handle.terminate()) };
}

/** Requests to `poolId` from the stand-in holder, in a campaign's workload unless `extra` says otherwise. */
function campaignLease(poolId: string) {
  return (leaseId: string, priority: 'interactive' | 'batch', extra: Partial<LeaseRequest> = {}) =>
    requestLease(poolId, {
      leaseId,
      workflowId: holderId,
      runId: holderRunId,
      leaseTtlMs: 60_000,
      priority,
      workload: 'campaign',
      ...extra,
    });
}

test('a reservation takes the next freed slot for a generation about to start; its own request claims it, ahead of the line', async () => {
  const poolId = leasePoolWorkflowId(`${product.taskQueue}-reserved`);
  const starting = await standIn('starting');
  const lease = campaignLease(poolId);
  const pool = await lease('running', 'batch');
  await lease('b1', 'batch');
  await lease('b2', 'batch');
  const reserved = reservedLeaseId(starting.workflowId);
  await lease(reserved, 'interactive', { workflowId: starting.workflowId, runId: '', reservation: true, workload: 'project' });
  await pollUntil('the pool state', async () => (await pool.query(leasesQuery)).waiting.length === 3, Boolean, 10_000, 100);
  // The campaign's slot frees: it is held for the reservation, granted to nobody (the generation has not started).
  await pool.signal(releaseLeaseSignal, { leaseId: 'running' });
  const held = await pollUntil(
    'the reservation holding the slot',
    async () => (await pool.query(leasesQuery)).holders,
    (holders) => holders.length === 1 && holders[0]!.reservation === true,
    10_000,
    50,
  );
  expect(held[0]!.leaseId).toBe(reserved);
  // The generation's own request claims it: the same slot, no second count against quotas and credits.
  const granted = (await pool.query(leasesQuery)).usage['gen4.5']?.granted;
  await lease('regeneration/run/1', 'interactive', { workflowId: starting.workflowId, runId: starting.runId, workload: 'project' });
  const claimed = await pollUntil(
    'the claim',
    async () => await pool.query(leasesQuery),
    (state) => state.holders[0]?.leaseId === 'regeneration/run/1',
    10_000,
    50,
  );
  expect(claimed.holders).toHaveLength(1);
  expect(claimed.holders[0]!.reservation).toBeUndefined();
  expect(claimed.usage['gen4.5']?.granted).toBe(granted);
  expect(claimed.waiting.map((request) => request.leaseId)).toEqual(['b1', 'b2']);
  await pool.terminate();
  await starting.stop();
});

test('a claim that comes while its reservation still waits keeps the reservation’s place in line', async () => {
  const poolId = leasePoolWorkflowId(`${product.taskQueue}-reserved-waiting`);
  const early = await standIn('early');
  const lease = campaignLease(poolId);
  const pool = await lease('running', 'batch');
  await lease('b1', 'batch');
  await lease(reservedLeaseId(early.workflowId), 'interactive', {
    workflowId: early.workflowId,
    runId: '',
    reservation: true,
    workload: 'project',
  });
  await lease('late', 'interactive', { workload: 'other-project' });
  await lease('early/run/1', 'interactive', { workflowId: early.workflowId, runId: early.runId, workload: 'project' });
  await pollUntil(
    'the claim in the reservation’s place',
    async () => (await pool.query(leasesQuery)).waiting.map((request) => request.leaseId),
    (waiting) => waiting.length === 3 && waiting.indexOf('early/run/1') < waiting.indexOf('late'),
    10_000,
    50,
  );
  await pool.signal(releaseLeaseSignal, { leaseId: 'running' });
  await pollUntil(
    'the next grant',
    async () => (await pool.query(leasesQuery)).holders[0]?.leaseId,
    (leaseId) => leaseId === 'early/run/1',
    10_000,
    50,
  );
  await pool.terminate();
  await early.stop();
});
