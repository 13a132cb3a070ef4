import { startResourceSampler, type ResourceUsage } from './resource-sampler';
import type { SimulatorSnapshot } from '../simulator/state';

/** One contender's run of the makespan campaign, as measured. */
export interface ContenderRun {
  contender: 'product' | 'sdk' | 'floor';
  round: number;
  startedAtMs: number;
  finishedAtMs: number;
  makespanSec: number;
  archived: number;
  failed: number;
  resources: ResourceUsage;
  /** The simulator's view right after the run: counters and every task's history. */
  sim: SimulatorSnapshot;
}

/** Times `work` from start to finish with the resource sampler on, then reads the simulator's view. */
export async function measureContender<T extends { archived: number; failed: number }>(
  sim: { stats(): Promise<SimulatorSnapshot> },
  contender: ContenderRun['contender'],
  round: number,
  work: () => Promise<T>,
): Promise<ContenderRun & { outcome: T }> {
  const sampler = startResourceSampler();
  const startedAtMs = Date.now();
  const outcome = await work();
  const finishedAtMs = Date.now();
  const resources = sampler.stop();
  return {
    contender,
    round,
    startedAtMs,
    finishedAtMs,
    makespanSec: (finishedAtMs - startedAtMs) / 1000,
    archived: outcome.archived,
    failed: outcome.failed,
    resources,
    sim: await sim.stats(),
    outcome,
  };
}
