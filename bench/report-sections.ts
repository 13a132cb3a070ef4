import { GENERATION_SECONDS, TARGETS, TIME_SCALE } from './bench-config';
import type { ArchiveCase } from './archive-bench';
import type { BenchResults } from './bench-results';
import type { ContenderSummary } from './contender-summary';
import type { MakespanReport } from './makespan-bench';
import type { ScaleProbe } from './scale-probe';

/** One titled table of the report. */
export interface ReportSection {
  title: string;
  rows: string[][];
}

export function reportSections(results: BenchResults): ReportSection[] {
  return [
    ...(results.makespan ? [makespanSection(results.makespan)] : []),
    ...(results.archive ? [archiveSection(results.archive)] : []),
    ...(results.scale ? [scaleSection(results.scale)] : []),
    targetsSection(results),
  ];
}

/** Older result files have no floor. */
function blindFloorRow(report: MakespanReport): string[][] {
  const floor = report.blindSchedulerFloor as MakespanReport['blindSchedulerFloor'] | undefined;
  if (!floor) return [];
  return [
    [
      `ideal blind FIFO + poll / c over ${floor.seeds} seeds`,
      `median ${floor.median.toFixed(3)} (p10 ${floor.p10.toFixed(3)}, p90 ${floor.p90.toFixed(3)})`,
      `${(floor.shareWithinTarget * 100).toFixed(0)} % of seeds ≤ ${TARGETS.makespanVsBound}`,
      'floor for any scheduler blind to durations',
    ],
  ];
}

function makespanSection(report: MakespanReport): ReportSection {
  const { product: a, sdk: b, bound } = report;
  const generation = `lognormal median ${GENERATION_SECONDS.median} s σ ${GENERATION_SECONDS.sigma} at ×${TIME_SCALE}`;
  const rounds = report.rounds.length / 2;
  const both = (pick: (summary: ContenderSummary) => string) => [pick(a), pick(b)];
  return {
    title: `Makespan: ${report.variants} variants, cap ${report.cap}, ${generation} (mean ${bound.meanSec.toFixed(2)} s real), poll ${(report.pollIntervalMs / 1000).toFixed(2)} s; mean of ${rounds} round${rounds > 1 ? 's' : ''}`,
    rows: [
      ['', 'this project (a)', 'official SDK (b)', 'bound (c)'],
      [
        'makespan (s)',
        ...both((s) => s.makespanSec.toFixed(2)),
        `${bound.boundSec.toFixed(2)} = max(sum/10 ${(bound.sumSec / report.cap).toFixed(2)}, longest ${bound.longestSec.toFixed(2)}) + poll`,
      ],
      [
        'makespan_vs_bound_ratio (a/c)',
        report.makespan_vs_bound_ratio.toFixed(3),
        (b.makespanSec / bound.boundSec).toFixed(3),
        `optimum ≤ LPT ${bound.lptSec.toFixed(2)} s`,
      ],
      ['makespan_vs_sdk_ratio (a/b)', report.makespan_vs_sdk_ratio.toFixed(3), '1.000', ''],
      [
        'vs ideal FIFO (no overhead, blind to durations)',
        report.makespan_vs_ideal_fifo_ratio.toFixed(3),
        (b.makespanSec / bound.idealFifoSec).toFixed(3),
        `ideal FIFO ${bound.idealFifoSec.toFixed(2)} s`,
      ],
      ...blindFloorRow(report),
      ['capacity utilisation under backlog', ...both((s) => `${(s.backlogUtilisation * 100).toFixed(1)} %`), '100 %'],
      ['mean handoff: task end → next POST (s)', ...both((s) => s.meanHandoffSec.toFixed(3)), '0'],
      ['first POST after start (s)', ...both((s) => s.firstSubmitSec.toFixed(2)), ''],
      ['THROTTLED / max running', ...both((s) => `${s.throttled} / ${s.maxConcurrentRunning}`), '0 / 10'],
      ['Runway GETs per video', ...both((s) => s.getsPerVideo.toFixed(2)), `budget ceil(t/poll)+2 = ${a.getsBudgetPerVideo.toFixed(2)}`],
      ['history events per video (sample)', `${report.history.meanPerVideo} mean, ${report.history.maxPerVideo} max`, '—', 'target ≤ 60'],
      ['campaign (parent) history', `${report.history.parent.events} events, ${kb(report.history.parent.bytes)}`, '—', ''],
      ['worker process CPU (s)', ...both((s) => s.cpuSeconds.toFixed(1)), ''],
      ['Temporal server CPU (s)', ...both((s) => (s.servicesCpuSeconds.temporal ?? 0).toFixed(1)), ''],
      ['peak RSS of the process (MB)', ...both((s) => s.peakRssMb.toFixed(0)), ''],
      ['archived / failed', ...both((s) => `${s.archived} / ${s.failed}`), ''],
    ],
  };
}

function archiveSection(cases: ArchiveCase[]): ReportSection {
  return {
    title: `Archive path: activities/archive.ts (MockActivityEnvironment) vs raw undici → lib-storage pipe (after a warm-up, median of ${cases.map((entry) => `${entry.raw.runs.length} pairs at ${entry.label}`).join(', ')})`,
    rows: [
      ['output', 'activity MB/s', 'raw MB/s', 'ratio (median of pairs)', 'activity RSS +MB', 'raw RSS +MB'],
      ...cases.map((entry) => [
        entry.label,
        entry.archive.mbPerSec.toFixed(1),
        entry.raw.mbPerSec.toFixed(1),
        entry.throughputRatio.toFixed(3),
        entry.archive.rssIncreaseMb.toFixed(1),
        entry.raw.rssIncreaseMb.toFixed(1),
      ]),
    ],
  };
}

function scaleSection(scale: ScaleProbe): ReportSection {
  const rows = [
    ['', 'value'],
    [
      'result',
      scale.completed
        ? `${scale.archived} archived, ${scale.failed} failed in ${scale.seconds} s`
        : `FAILED after ${scale.seconds} s: ${scale.error ?? ''}`,
    ],
    ['THROTTLED', String(scale.throttled)],
  ];
  if (scale.parent) {
    rows.push(['campaign history', `${scale.parent.events} events, ${kb(scale.parent.bytes)}, ${scale.parent.signalsReceived} signals`]);
    rows.push(['video history events (sample)', (scale.childEventsSample ?? []).join(', ')]);
  }
  for (const limit of scale.limits ?? [])
    rows.push([`limit: ${limit.factor}`, `${limit.perVariant} per variant → ≤ ${limit.maxVariants} variants`]);
  if (scale.ceiling) rows.push(['ceiling of one campaign', `${scale.ceiling.maxVariants} variants (${scale.ceiling.factor})`]);
  return {
    title: `Scale probe: ${scale.variants} variants, timeScale ${scale.simulator.timeScale}, poll ${scale.options.pollInterval} ms`,
    rows,
  };
}

function targetsSection(results: BenchResults): ReportSection {
  return {
    title: 'Targets',
    rows: [
      ['target', 'wanted', 'measured', ''],
      ...results.targets.map((check) => [check.name, check.target, check.measured, check.met ? 'met' : 'MISSED']),
    ],
  };
}

function kb(bytes: number | undefined): string {
  return bytes === undefined ? '? KB' : `${Math.round(bytes / 1024)} KB`;
}
