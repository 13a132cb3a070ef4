import { CAP } from './bench-config';
import type { ContenderRun } from './contender-run';
import { round } from './resource-sampler';
import { backlogUtilisation, getsPerVideo, heldSeconds, meanHandoffSec, taskSpans } from './run-metrics';
import { listScheduleMakespan } from './schedule-bound';

/** What the report shows of one contender's run. */
export interface ContenderSummary {
  contender: ContenderRun['contender'];
  round: number;
  makespanSec: number;
  archived: number;
  failed: number;
  submissions: number;
  throttled: number;
  maxConcurrentRunning: number;
  /** Slot-seconds held by Runway tasks / (cap × window), from the first to the last submission. */
  backlogUtilisation: number;
  backlogWindowSec: number;
  /** Mean real seconds a Runway task held its slot (PENDING + RUNNING, as the simulator timed it). */
  meanTaskSec: number;
  /** Mean idle time of a slot between a task ending and the next submission (poll overshoot + handoff). */
  meanHandoffSec: number;
  /** Greedy FIFO schedule of this run's own task times in its submission order, with zero overhead. */
  idealFifoSec: number;
  firstSubmitSec: number;
  /** From the last Runway task ending to the contender's end (last poll, archive, manifest, completion). */
  drainSec: number;
  getsPerVideo: number;
  getsBudgetPerVideo: number;
  cpuSeconds: number;
  peakRssMb: number;
  /** CPU of the stack's services during the run: what the contender cost the Temporal server, simulator, S3. */
  servicesCpuSeconds: Record<string, number>;
}

export function summarize(run: ContenderRun, pollIntervalMs: number): ContenderSummary {
  const spans = taskSpans(run.sim);
  const held = heldSeconds(spans);
  const backlog = backlogUtilisation(spans, CAP);
  const gets = getsPerVideo(run.sim, spans, pollIntervalMs);
  const firstCreated = Math.min(...spans.map((span) => span.createdMs));
  const lastFinished = Math.max(...spans.map((span) => span.finishedMs));
  return {
    contender: run.contender,
    round: run.round,
    makespanSec: round(run.makespanSec, 2),
    archived: run.archived,
    failed: run.failed,
    submissions: run.sim.submissions.total,
    throttled: run.sim.throttledCount,
    maxConcurrentRunning: run.sim.maxConcurrentRunning.overall,
    backlogUtilisation: backlog.utilisation,
    backlogWindowSec: backlog.windowSec,
    meanTaskSec: round(held.reduce((a, b) => a + b, 0) / held.length, 3),
    meanHandoffSec: meanHandoffSec(spans, CAP),
    idealFifoSec: round(listScheduleMakespan(held, CAP), 2),
    firstSubmitSec: round((firstCreated - run.startedAtMs) / 1000, 3),
    drainSec: round((run.finishedAtMs - lastFinished) / 1000, 3),
    getsPerVideo: gets.actual,
    getsBudgetPerVideo: gets.budget,
    cpuSeconds: run.resources.cpuSeconds,
    peakRssMb: run.resources.peakRssMb,
    servicesCpuSeconds: run.resources.servicesCpuSeconds,
  };
}
