import { TARGETS } from './bench-config';
import type { ArchiveCase } from './archive-bench';
import type { AssemblyBench } from './assembly-bench';
import type { TargetCheck } from './bench-results';
import type { MakespanReport } from './makespan-bench';
import type { PriorityReport } from './priority-bench';
import type { ScaleProbe } from './scale-probe';
import { formatSpread, type Spread } from './stats';

/** The targets against what was measured (only for the sections that ran). */
export function checkTargets(
  makespan: MakespanReport | undefined,
  archive: ArchiveCase[] | undefined,
  scale: ScaleProbe | undefined,
  assembly?: AssemblyBench,
  priority?: PriorityReport,
): TargetCheck[] {
  return [
    ...(makespan ? makespanChecks(makespan) : []),
    ...(archive ? archiveChecks(archive) : []),
    ...(scale ? scaleChecks(scale) : []),
    ...(assembly ? [assemblyCheck(assembly)] : []),
    ...(priority ? priorityChecks(priority) : []),
  ];
}

/**
 * An editor's regeneration waits at most one lease handoff after the next slot frees: the slot it takes is the first
 * freed after the reject (or one already on its way), and its handoff is no slower than the campaign's own. Two
 * campaigns started together share the cap 50 % ± 10 %.
 */
function priorityChecks(report: PriorityReport): TargetCheck[] {
  const share = report.fairShareA.median;
  return [
    check(
      'regeneration: its slot among those freed after the reject, p95',
      '≤ 1',
      formatSpread(report.slotsFreedP95, 0),
      report.slotsFreedP95.median <= 1,
    ),
    check(
      "regeneration's handoff p95 / the campaign's handoff p95 over the same minutes",
      '≤ 1',
      `${formatSpread(report.rejectHandoffP95Sec, 2)} s / ${formatSpread(report.campaignHandoffP95Sec, 2)} s`,
      report.rejectHandoffP95Sec.median <= report.campaignHandoffP95Sec.median,
    ),
    check("two campaigns together: A's share of the POSTs", '50 ± 10 %', `${(share * 100).toFixed(1)} %`, Math.abs(share - 0.5) <= 0.1),
  ];
}

/** The explainer's assembly against bare ffmpeg on the same files, on the median of the rounds' ratios. */
function assemblyCheck(assembly: AssemblyBench): TargetCheck {
  return check(
    'assembly activity / bare ffmpeg concat + mux, median of rounds',
    `≤ ${assembly.target}`,
    formatSpread(assembly.ratio, 3),
    assembly.ratio.median <= assembly.target,
  );
}

/**
 * Checked on the median over the ABBA rounds, so one round disturbed by another process on the machine
 * neither makes nor breaks a target; the spread is shown beside it. A file from before per-round figures
 * has only the ratios of the mean makespans.
 */
function makespanChecks(report: MakespanReport): TargetCheck[] {
  const { product } = report;
  const spread = report.spread;
  const shown = (value: Spread | undefined, fallback: number, digits = 3) =>
    value ? formatSpread(value, digits) : fallback.toFixed(digits);
  const checks = [
    check(
      'makespan / SDK (a/b), median of rounds',
      `≤ ${TARGETS.makespanVsSdk}`,
      shown(spread?.vsSdk, report.makespan_vs_sdk_ratio),
      report.makespan_vs_sdk_ratio <= TARGETS.makespanVsSdk,
    ),
    check(
      'makespan / ideal FIFO, median of rounds',
      `≤ ${TARGETS.makespanVsIdealFifo}`,
      shown(spread?.vsIdealFifo, report.makespan_vs_ideal_fifo_ratio),
      report.makespan_vs_ideal_fifo_ratio <= TARGETS.makespanVsIdealFifo,
    ),
    check('THROTTLED tasks (worst round)', `= ${TARGETS.throttled}`, String(product.throttled), product.throttled === TARGETS.throttled),
    check(
      'Runway GETs per video',
      `≤ ceil(t/poll)+2 = ${product.getsBudgetPerVideo.toFixed(2)}`,
      product.getsPerVideo.toFixed(2),
      product.getsPerVideo <= product.getsBudgetPerVideo,
    ),
  ];
  if (!spread) return checks;
  return [
    ...checks,
    check(
      'history events per video (mean of all videos), median of rounds',
      `≤ ${TARGETS.historyEventsPerVideo}`,
      formatSpread(spread.eventsPerVideoMean, 1),
      spread.eventsPerVideoMean.median <= TARGETS.historyEventsPerVideo,
    ),
    check(
      '(worker + server CPU) / SDK CPU, median of rounds',
      `≤ ${TARGETS.orchestrationCpuVsSdk}`,
      formatSpread(spread.cpuVsSdk, 2),
      spread.cpuVsSdk.median <= TARGETS.orchestrationCpuVsSdk,
    ),
  ];
}

function archiveChecks(cases: ArchiveCase[]): TargetCheck[] {
  const increases = cases.map((entry) => entry.archive.rssIncreaseMb);
  return [
    ...cases.map((entry) =>
      check(
        `archive throughput ${entry.label} / raw pipe`,
        `≥ ${TARGETS.archiveVsRaw}`,
        entry.throughputRatio.toFixed(3),
        entry.throughputRatio >= TARGETS.archiveVsRaw,
      ),
    ),
    check(
      'archive peak RSS increase (max over sizes)',
      `< ${TARGETS.archiveRssIncreaseMb} MB`,
      `${Math.max(...increases).toFixed(1)} MB`,
      Math.max(...increases) < TARGETS.archiveRssIncreaseMb,
    ),
    ...flatnessCheck(cases),
  ];
}

/**
 * Flat: ten times the data costs no more memory once the part buffers are full, i.e. the largest output
 * raises RSS by at most 16 MB more than one a tenth its size (only with the 1 GB case; a 10 MB output
 * never fills the buffers, so it says nothing about growth).
 */
function flatnessCheck(cases: ArchiveCase[]): TargetCheck[] {
  const largest = cases[cases.length - 1];
  const tenthOfIt = largest ? cases.find((entry) => entry.bytes * 10 >= largest.bytes && entry !== largest) : undefined;
  if (!largest || !tenthOfIt || largest.bytes < 1024 * 1024 * 1024) return [];
  const growth = largest.archive.rssIncreaseMb - tenthOfIt.archive.rssIncreaseMb;
  return [
    check(
      `archive RSS flat: ${largest.label} vs ${tenthOfIt.label}`,
      '≤ +16 MB',
      `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB`,
      growth <= 16,
    ),
  ];
}

function scaleChecks(scale: ScaleProbe): TargetCheck[] {
  const measured = scale.completed
    ? `${scale.archived}/${scale.variants} archived in ${scale.seconds} s`
    : `failed: ${scale.error ?? 'unknown'}`;
  const checks = [
    check(
      `${scale.variants}-variant campaign completes, all archived`,
      'completes',
      measured,
      scale.completed && scale.archived === scale.variants,
    ),
    check('scale probe THROTTLED tasks', `= ${TARGETS.throttled}`, String(scale.throttled), scale.throttled === TARGETS.throttled),
  ];
  if (scale.throughputVideosPerSec !== undefined)
    checks.push(
      check(
        'scale probe orchestration throughput',
        `≥ ${TARGETS.scaleThroughputVideosPerSec} videos/s`,
        `${scale.throughputVideosPerSec.toFixed(2)} videos/s`,
        scale.completed && scale.throughputVideosPerSec >= TARGETS.scaleThroughputVideosPerSec,
      ),
    );
  if (scale.rss)
    checks.push(
      check(
        'scale probe worker RSS flat (slope of its floor over the second half)',
        `< ${scale.rss.flatThresholdMbPerMin} MB/min`,
        `${(scale.rss.secondHalfFloorSlopeMbPerMin ?? scale.rss.secondHalfSlopeMbPerMin).toFixed(2)} MB/min (every sample: ${scale.rss.secondHalfSlopeMbPerMin.toFixed(2)})`,
        scale.rss.flat,
      ),
    );
  return checks;
}

function check(name: string, target: string, measured: string, met: boolean): TargetCheck {
  return { name, target, measured, met };
}
