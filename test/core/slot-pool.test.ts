import { slotPoolWorkflowId, type SlotPoolState, type SlotRequest } from '../../schemas';
import { GenerationSlotPoolWorkflow, acquireSlotSignal, releaseSlotSignal, slotsQuery } from '../../workflows/slot-pool';
import { startProduct, type RunningProduct } from '../helpers/product';

let product: RunningProduct;
/** A running workflow that stands in for video workflows receiving grants (a pool cannot signal itself). */
let holderId: string;

beforeAll(async () => {
  product = await startProduct({ name: 'slots' });
  holderId = slotPoolWorkflowId(`${product.taskQueue}-holder`);
  await product.client.workflow.start(GenerationSlotPoolWorkflow, { workflowId: holderId, taskQueue: product.taskQueue, args: [{ capacity: 1, holders: [], waiting: [] }] });
});
afterAll(async () => {
  await product.client.workflow.getHandle(holderId).terminate();
  await product.stop();
});

/** A pool of capacity 1 on the product's queue. */
async function requestSlot(poolId: string, request: Omit<SlotRequest, 'capacity'>) {
  const initial: SlotPoolState = { capacity: 1, holders: [], waiting: [] };
  return product.client.workflow.signalWithStart(GenerationSlotPoolWorkflow, {
    workflowId: poolId,
    taskQueue: product.taskQueue,
    args: [initial],
    signal: acquireSlotSignal,
    signalArgs: [{ ...request, capacity: 1 }],
  });
}

async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('grants up to the capacity, queues the rest first come first served, and hands a released slot on', async () => {
  const poolId = slotPoolWorkflowId(`${product.taskQueue}-fifo`);
  const pool = await requestSlot(poolId, { leaseId: 'a', workflowId: holderId, leaseTtlMs: 60_000 });
  await requestSlot(poolId, { leaseId: 'b', workflowId: holderId, leaseTtlMs: 60_000 });
  await requestSlot(poolId, { leaseId: 'c', workflowId: holderId, leaseTtlMs: 60_000 });
  await eventually(async () => (await pool.query(slotsQuery)).waiting.length === 2);
  expect((await pool.query(slotsQuery)).holders.map((lease) => lease.leaseId)).toEqual(['a']);
  await pool.signal(releaseSlotSignal, { leaseId: 'a' });
  await eventually(async () => (await pool.query(slotsQuery)).holders[0]?.leaseId === 'b');
  expect((await pool.query(slotsQuery)).waiting.map((request) => request.leaseId)).toEqual(['c']);
  await pool.terminate();
});

test('a lease past its TTL whose holder is still running is renewed, not reclaimed', async () => {
  const poolId = slotPoolWorkflowId(`${product.taskQueue}-renew`);
  const { runId } = await product.client.workflow.getHandle(holderId).describe();
  const pool = await requestSlot(poolId, { leaseId: 'kept', workflowId: holderId, runId, leaseTtlMs: 300 });
  await requestSlot(poolId, { leaseId: 'next', workflowId: holderId, leaseTtlMs: 60_000 });
  await eventually(async () => ((await pool.query(slotsQuery)).renewedLeases ?? 0) >= 3);
  const state = await pool.query(slotsQuery);
  expect(state.holders.map((lease) => lease.leaseId)).toEqual(['kept']);
  expect(state.waiting.map((request) => request.leaseId)).toEqual(['next']);
  expect(state.reclaimedLeases).toBe(0);
  await pool.terminate();
});

test('a lease whose holder has ended is reclaimed once past its TTL, and the next waiter gets the slot', async () => {
  const poolId = slotPoolWorkflowId(`${product.taskQueue}-ttl`);
  const goneId = `${poolId}-gone-holder`;
  const gone = await product.client.workflow.start(GenerationSlotPoolWorkflow, { workflowId: goneId, taskQueue: product.taskQueue, args: [{ capacity: 1, holders: [], waiting: [] }] });
  const pool = await requestSlot(poolId, { leaseId: 'forgotten', workflowId: goneId, runId: gone.firstExecutionRunId, leaseTtlMs: 500 });
  await requestSlot(poolId, { leaseId: 'next', workflowId: holderId, leaseTtlMs: 60_000 });
  await eventually(async () => (await pool.query(slotsQuery)).holders.map((lease) => lease.leaseId).join() === 'forgotten');
  await gone.terminate();
  await eventually(async () => (await pool.query(slotsQuery)).holders.map((lease) => lease.leaseId).join() === 'next');
  expect((await pool.query(slotsQuery)).reclaimedLeases).toBe(1);
  await pool.terminate();
});

test('a grant to a workflow that no longer exists is reclaimed at once', async () => {
  const poolId = slotPoolWorkflowId(`${product.taskQueue}-ghost`);
  const pool = await requestSlot(poolId, { leaseId: 'ghost', workflowId: 'no-such-workflow', leaseTtlMs: 60_000 });
  await requestSlot(poolId, { leaseId: 'alive', workflowId: holderId, leaseTtlMs: 60_000 });
  await eventually(async () => (await pool.query(slotsQuery)).holders.map((lease) => lease.leaseId).join() === 'alive');
  await pool.terminate();
});
