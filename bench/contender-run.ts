import type { ResourceUsage } from './resource-sampler';
import type { SimStats } from './sim-admin';

/** One contender's run of the makespan campaign, as measured. */
export interface ContenderRun {
  contender: 'product' | 'sdk';
  round: number;
  startedAtMs: number;
  finishedAtMs: number;
  makespanSec: number;
  archived: number;
  failed: number;
  resources: ResourceUsage;
  /** The simulator's view right after the run: counters and every task's history. */
  sim: SimStats;
}
