/**
 * Which freed slot each POST took, under a cap held throughout: Runway never runs more than `cap` tasks, so the
 * (k + cap)-th POST could only be made once k tasks had ended. Matching POSTs to task ends in that order gives each
 * POST the slot it took and its handoff (the slot's end → the POST), the same pairing as the makespan bench's mean
 * handoff. Slots are interchangeable, so this is the pool's order seen from Runway: who got the n-th slot freed.
 */

/** A task as Runway's side saw it: when it was created (the POST) and when it ended, if it has. */
export interface SlotTask {
  id: string;
  createdMs: number;
  endedMs?: number | undefined;
}

export interface SlotTaken {
  /** When the slot this POST took was freed; undefined for one of the first `cap` POSTs (no slot had to free). */
  freedMs: number | undefined;
  /** The slot's end → this POST. */
  handoffMs: number | undefined;
}

export function slotsTaken(tasks: readonly SlotTask[], cap: number): Map<string, SlotTaken> {
  const posts = [...tasks].sort((a, b) => a.createdMs - b.createdMs || a.id.localeCompare(b.id));
  const ends = tasks
    .map((task) => task.endedMs)
    .filter((ended): ended is number => ended !== undefined)
    .sort((a, b) => a - b);
  const taken = new Map<string, SlotTaken>();
  posts.forEach((task, index) => {
    const freedMs = index >= cap ? ends[index - cap] : undefined;
    taken.set(task.id, { freedMs, handoffMs: freedMs === undefined ? undefined : task.createdMs - freedMs });
  });
  return taken;
}

/**
 * Where in the order of slots freed after `fromMs` the slot a POST took came: 1 = the first slot freed after it, 0 =
 * one freed before it still being handed on, n = n − 1 slots freed after it went to others first.
 */
export function slotRank(tasks: readonly SlotTask[], freedMs: number, fromMs: number): number {
  return tasks.filter((task) => task.endedMs !== undefined && task.endedMs > fromMs && task.endedMs <= freedMs).length;
}
