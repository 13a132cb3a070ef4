/**
 * Schedules of the same generation times on identical slots. The optimal makespan is NP-hard, so it is
 * bracketed: max(sum / slots, longest) is a lower bound, LPT (longest first, greedy) an upper one.
 */
export function lowerBoundMakespan(durations: readonly number[], slots: number): number {
  const sum = durations.reduce((total, duration) => total + duration, 0);
  return Math.max(sum / slots, Math.max(0, ...durations));
}

/** Longest processing time first: within 4/3 of the optimum. */
export function lptMakespan(durations: readonly number[], slots: number): number {
  return listScheduleMakespan(
    [...durations].sort((a, b) => b - a),
    slots,
  );
}

/** Greedy list scheduling in the given order, with zero overhead: what an ideal online FIFO scheduler gets. */
export function listScheduleMakespan(durationsInOrder: readonly number[], slots: number): number {
  const freeAt = new Array<number>(slots).fill(0);
  for (const duration of durationsInOrder) {
    let earliest = 0;
    for (let slot = 1; slot < slots; slot++) if ((freeAt[slot] ?? 0) < (freeAt[earliest] ?? 0)) earliest = slot;
    freeAt[earliest] = (freeAt[earliest] ?? 0) + duration;
  }
  return Math.max(0, ...freeAt);
}
