import { CAP, PENDING_SECONDS, POLL_INTERVAL_MS, TIME_SCALE } from './bench-config';
import { round } from './resource-sampler';
import type { SimulatorSnapshot } from '../simulator/state';
import { listScheduleMakespan, lowerBoundMakespan, lptMakespan } from './schedule-bound';

/** (c) The physical bound of the campaign, from the simulator's configured draws of this run. */
export interface MakespanBound {
  /** max(sum / cap, longest) + one poll interval: the bound the ratios use. */
  boundSec: number;
  lowerBoundSec: number;
  /** LPT's makespan: the optimal schedule lies in [lowerBoundSec, lptSec]. */
  lptSec: number;
  /** Greedy FIFO in prompt order with zero overhead: the best any scheduler blind to durations gets. */
  idealFifoSec: number;
  pollIntervalSec: number;
  sumSec: number;
  meanSec: number;
  longestSec: number;
  /** Each task's real time in a slot: (pendingSeconds + generationSeconds) / timeScale. */
  taskSeconds: number[];
}

/** Tasks' configured times in prompt order (the campaign's order), real seconds. */
export function configuredTaskSeconds(sim: SimulatorSnapshot, prompts: readonly string[]): number[] {
  const byPrompt = new Map(sim.tasks.map((task) => [task.promptText ?? '', task.generationSeconds]));
  return prompts.map((prompt) => {
    const generationSeconds = byPrompt.get(prompt);
    if (generationSeconds === undefined) throw new Error(`no task for prompt "${prompt}"`);
    return (PENDING_SECONDS + generationSeconds) / TIME_SCALE;
  });
}

export function makespanBound(taskSeconds: number[]): MakespanBound {
  const sum = taskSeconds.reduce((a, b) => a + b, 0);
  const lowerBound = lowerBoundMakespan(taskSeconds, CAP);
  return {
    boundSec: round(lowerBound + POLL_INTERVAL_MS / 1000, 3),
    lowerBoundSec: round(lowerBound, 3),
    lptSec: round(lptMakespan(taskSeconds, CAP), 3),
    idealFifoSec: round(listScheduleMakespan(taskSeconds, CAP), 3),
    pollIntervalSec: POLL_INTERVAL_MS / 1000,
    sumSec: round(sum, 3),
    meanSec: round(sum / taskSeconds.length, 3),
    longestSec: round(Math.max(...taskSeconds), 3),
    taskSeconds: taskSeconds.map((seconds) => round(seconds, 4)),
  };
}

/** Every contender must have drawn the same times: same seed, same prompts, a reset before each. */
export function sameDraws(runs: readonly SimulatorSnapshot[], prompts: readonly string[]): boolean {
  const [first, ...rest] = runs.map((sim) => configuredTaskSeconds(sim, prompts).join(','));
  return rest.every((draws) => draws === first);
}
