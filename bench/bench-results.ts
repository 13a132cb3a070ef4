import type { ArchiveCase } from './archive-bench';
import type { AssemblyBench } from './assembly-bench';
import type { FloorReport } from './floor-bench';
import type { MakespanReport } from './makespan-bench';
import type { PriorityReport } from './priority-bench';
import type { ScaleProbe } from './scale-probe';

/** Everything one `npm run bench` measured: what bench/results/*.json hold. */
export interface BenchResults {
  startedAt: string;
  command: string;
  machine: { cpus: number; loadAverageAtStart: number[]; node: string };
  notes: string[];
  makespan?: MakespanReport;
  floor?: FloorReport;
  archive?: ArchiveCase[];
  scale?: ScaleProbe;
  assembly?: AssemblyBench;
  priority?: PriorityReport;
  targets: TargetCheck[];
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}
