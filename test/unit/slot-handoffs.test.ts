import { slotRank, slotsTaken, type SlotTask } from '../../bench/slot-handoffs';

/** Cap 2: two tasks run from 0; each POST after them takes the slot the next task end freed. */
const tasks: SlotTask[] = [
  { id: 'a', createdMs: 0, endedMs: 1_000 },
  { id: 'b', createdMs: 10, endedMs: 1_500 },
  { id: 'c', createdMs: 1_200, endedMs: 2_600 },
  { id: 'reg', createdMs: 1_800 },
  { id: 'd', createdMs: 2_900 },
];

describe('which freed slot a POST took', () => {
  it('pairs the k-th task end with the (k + cap)-th POST, as the makespan bench pairs its handoffs', () => {
    const taken = slotsTaken(tasks, 2);
    expect(taken.get('a')).toEqual({ freedMs: undefined, handoffMs: undefined });
    expect(taken.get('c')).toEqual({ freedMs: 1_000, handoffMs: 200 });
    expect(taken.get('reg')).toEqual({ freedMs: 1_500, handoffMs: 300 });
    expect(taken.get('d')).toEqual({ freedMs: 2_600, handoffMs: 300 });
  });

  it('ranks the slot among those freed after a moment: 1 is the next one, 0 one already freed', () => {
    expect(slotRank(tasks, 1_500, 1_100)).toBe(1);
    expect(slotRank(tasks, 1_500, 900)).toBe(2);
    expect(slotRank(tasks, 1_500, 1_600)).toBe(0);
  });

  it('does not count an end that came after the slot it took, during its own handoff', () => {
    const late: SlotTask[] = [...tasks, { id: 'e', createdMs: 20, endedMs: 1_700 }];
    // Cap 3 now: reg is the 5th POST, so it took the 2nd end (1,500); the end at 1,700 went to d.
    expect(slotsTaken(late, 3).get('reg')?.freedMs).toBe(1_500);
    expect(slotRank(late, 1_500, 1_100)).toBe(1);
  });
});
