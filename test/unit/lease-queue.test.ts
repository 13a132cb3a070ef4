import type { PriorityClass } from '../../schemas/priority';
import { DEFAULT_PRIORITY_AGING_MS } from '../../schemas/priority-classes';
import { LeaseQueue, type QueuedLease } from '../../workflows/lease-queue';

/** The lease pool's waiting line: strict classes, round-robin by workload, class aging against starvation. */

/** Ten minutes, the pool's default: the expectations below are written in it. */
const AGING_MS = DEFAULT_PRIORITY_AGING_MS;
let serial = 0;
const request = (workload: string, priority: PriorityClass, model = 'gen4.5'): QueuedLease => ({
  leaseId: `${workload}/${(serial += 1)}`,
  model,
  priority,
  workload,
});

function takeAll(queue: LeaseQueue<QueuedLease>, model: string, now: number): string[] {
  const taken: string[] = [];
  for (let next = queue.take(model, now); next; next = queue.take(model, now)) taken.push(next.workload);
  return taken;
}

/** The workloads gen4.5's slots go to, one slot freeing at each of `times`. */
function takenAt(queue: LeaseQueue<QueuedLease>, times: number[]): Array<string | undefined> {
  return times.map((now) => queue.take('gen4.5', now)?.workload);
}

test('an interactive request waiting behind a deep batch backlog takes the next slot', () => {
  const queue = new LeaseQueue(AGING_MS);
  for (let n = 0; n < 500; n += 1) queue.add(request('campaign', 'batch'), 0);
  queue.take('gen4.5', 1_000);
  queue.add(request('editor', 'interactive'), 2_000);
  queue.add(request('project', 'normal'), 2_000);
  expect(queue.peek('gen4.5', 3_000)?.workload).toBe('editor');
  expect(takenAt(queue, [3_000, 4_000, 5_000])).toEqual(['editor', 'project', 'campaign']);
});

test('a long campaign does not age past an editor: hours of waiting requests, but batch kept getting leases', () => {
  const queue = new LeaseQueue(AGING_MS);
  for (let n = 0; n < 500; n += 1) queue.add(request('campaign', 'batch'), 0);
  // The campaign is served steadily for two hours: its requests are old, its class never shut out.
  for (let now = 0; now < 2 * 3_600_000; now += 45_000) queue.take('gen4.5', now);
  queue.add(request('editor', 'interactive'), 2 * 3_600_000);
  expect(queue.take('gen4.5', 2 * 3_600_000 + 1)?.workload).toBe('editor');
});

test('workloads of one class share round-robin, not by arrival; each workload first come, first served', () => {
  const queue = new LeaseQueue(AGING_MS);
  const a = Array.from({ length: 4 }, () => request('campaign-a', 'batch'));
  const b = Array.from({ length: 4 }, () => request('campaign-b', 'batch'));
  for (const r of [...a, ...b]) queue.add(r, 0);
  queue.add(request('campaign-c', 'batch'), 0);
  const order: string[] = [];
  for (let next = queue.take('gen4.5', 1); next; next = queue.take('gen4.5', 1)) order.push(next.leaseId);
  expect(order).toEqual(
    [a[0], b[0], 'c', a[1], b[1], a[2], b[2], a[3], b[3]].map((r) =>
      typeof r === 'string' ? expect.stringMatching(/^campaign-c\//) : r!.leaseId,
    ),
  );
});

test('models are separate lines: a grant of one model does not move another', () => {
  const queue = new LeaseQueue(AGING_MS);
  queue.add(request('a', 'batch', 'gen4.5'), 0);
  queue.add(request('b', 'interactive', 'veo3.1'), 0);
  expect(queue.waitingModels().sort()).toEqual(['gen4.5', 'veo3.1']);
  expect(queue.take('gen4.5', 1)?.workload).toBe('a');
  expect(queue.take('gen4.5', 1)).toBeUndefined();
  expect(queue.waitingModels()).toEqual(['veo3.1']);
});

test('batch is never starved: under a steady stream of interactive work it gets one lease every agingMs', () => {
  const queue = new LeaseQueue(AGING_MS);
  for (let n = 0; n < 10; n += 1) queue.add(request('campaign', 'batch'), 0);
  const batchGrants: number[] = [];
  // An interactive request arrives before every slot frees (every 10 s), for an hour.
  for (let now = 10_000; now <= 3_600_000; now += 10_000) {
    queue.add(request(`editor-${now}`, 'interactive'), now - 1);
    if (queue.take('gen4.5', now)!.priority === 'batch') batchGrants.push(now);
  }
  expect(batchGrants).toEqual([600_000, 1_200_000, 1_800_000, 2_400_000, 3_000_000, 3_600_000]);
});

test('a shut-out normal class ages ahead of interactive too, and the longest shut out goes first', () => {
  const queue = new LeaseQueue(AGING_MS);
  queue.add(request('campaign', 'batch'), 0);
  queue.add(request('project', 'normal'), 100_000);
  for (let n = 0; n < 5; n += 1) queue.add(request('editor', 'interactive'), 0);
  expect(takenAt(queue, [650_000, 660_000, 700_000, 710_000])).toEqual(['campaign', 'editor', 'project', 'editor']);
});

test('the state round-trips: same order, same class clocks', () => {
  const queue = new LeaseQueue(AGING_MS);
  for (const workload of ['a', 'b', 'a', 'c', 'b']) queue.add(request(workload, 'batch'), 0);
  queue.add(request('i', 'interactive'), 5);
  queue.take('gen4.5', 10); // interactive
  queue.take('gen4.5', 20); // a, which moves behind b and c
  const restored = new LeaseQueue(AGING_MS, structuredClone(queue.state()));
  expect(restored.size).toBe(4);
  expect(takeAll(restored, 'gen4.5', 30)).toEqual(takeAll(queue, 'gen4.5', 30));
  expect(new LeaseQueue(AGING_MS, { waiting: [], classClocks: {} }).size).toBe(0);
});

test('remove takes a request out wherever it is; addFirst puts a retried request at the front of its class; a repeated id is ignored', () => {
  const queue = new LeaseQueue(AGING_MS);
  const first = request('a', 'batch');
  const second = request('b', 'batch');
  const third = request('c', 'batch');
  for (const r of [first, second, third]) queue.add(r, 0);
  queue.add({ ...second }, 0);
  expect(queue.size).toBe(3);
  expect(queue.remove(second.leaseId)).toBe(second);
  expect(queue.remove(second.leaseId)).toBeUndefined();
  queue.addFirst(third, 0);
  expect([...queue.requestsOf('gen4.5')].map((r) => r.leaseId)).toEqual([third.leaseId, first.leaseId]);
  expect(takeAll(queue, 'gen4.5', 1)).toEqual(['c', 'a']);
  expect(queue.has(first.leaseId)).toBe(false);
});
