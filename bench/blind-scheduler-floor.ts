import { createRng, drawSeconds } from '../simulator/rng';
import { CAP, GENERATION_SECONDS, MAKESPAN_VARIANTS, PENDING_SECONDS, POLL_INTERVAL_MS, TARGETS, TIME_SCALE } from './bench-config';
import { round } from './resource-sampler';
import { listScheduleMakespan, lowerBoundMakespan } from './schedule-bound';

/**
 * How near the bound (c) any scheduler blind to generation times can come on this workload: FIFO with
 * zero overhead and one poll to notice the last end, over c, for many seeds of the same distribution.
 * Runway says nothing about a task's length before it runs, so no orchestrator can beat this.
 */
export interface BlindSchedulerFloor {
  seeds: number;
  median: number;
  p10: number;
  p90: number;
  /** Share of seeds on which even the ideal blind scheduler meets the a/c target. */
  shareWithinTarget: number;
}

export function blindSchedulerFloor(seeds = 1000, variants = MAKESPAN_VARIANTS): BlindSchedulerFloor {
  const poll = POLL_INTERVAL_MS / 1000;
  const ratios = Array.from({ length: seeds }, (_, seed) => {
    const random = createRng(seed, 'blind-scheduler-floor');
    const taskSeconds = Array.from(
      { length: variants },
      () => (PENDING_SECONDS + drawSeconds(GENERATION_SECONDS, random(), random())) / TIME_SCALE,
    );
    return (listScheduleMakespan(taskSeconds, CAP) + poll) / (lowerBoundMakespan(taskSeconds, CAP) + poll);
  }).sort((a, b) => a - b);
  const at = (fraction: number) => round(ratios[Math.floor(fraction * (ratios.length - 1))] ?? 0, 3);
  return {
    seeds,
    median: at(0.5),
    p10: at(0.1),
    p90: at(0.9),
    shareWithinTarget: round(ratios.filter((ratio) => ratio <= TARGETS.makespanVsBound).length / ratios.length, 3),
  };
}
