import { TARGETS } from './bench-config';
import type { ArchiveCase } from './archive-bench';
import type { TargetCheck } from './bench-results';
import type { MakespanReport } from './makespan-bench';
import type { ScaleProbe } from './scale-probe';

/** The targets against what was measured (only for the sections that ran). */
export function checkTargets(
  makespan: MakespanReport | undefined,
  archive: ArchiveCase[] | undefined,
  scale: ScaleProbe | undefined,
): TargetCheck[] {
  return [...(makespan ? makespanChecks(makespan) : []), ...(archive ? archiveChecks(archive) : []), ...(scale ? [scaleCheck(scale)] : [])];
}

function makespanChecks(report: MakespanReport): TargetCheck[] {
  const { product } = report;
  return [
    check(
      'makespan / bound (a/c)',
      `≤ ${TARGETS.makespanVsBound}`,
      report.makespan_vs_bound_ratio.toFixed(3),
      report.makespan_vs_bound_ratio <= TARGETS.makespanVsBound,
    ),
    check(
      'makespan / SDK (a/b)',
      `≤ ${TARGETS.makespanVsSdk}`,
      report.makespan_vs_sdk_ratio.toFixed(3),
      report.makespan_vs_sdk_ratio <= TARGETS.makespanVsSdk,
    ),
    check('THROTTLED tasks', `= ${TARGETS.throttled}`, String(product.throttled), product.throttled === TARGETS.throttled),
    check(
      'Runway GETs per video',
      `≤ ceil(t/poll)+2 = ${product.getsBudgetPerVideo.toFixed(2)}`,
      product.getsPerVideo.toFixed(2),
      product.getsPerVideo <= product.getsBudgetPerVideo,
    ),
    check(
      'history events per video (max of sample)',
      `≤ ${TARGETS.historyEventsPerVideo}`,
      String(report.history.maxPerVideo),
      report.history.maxPerVideo <= TARGETS.historyEventsPerVideo,
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

function scaleCheck(scale: ScaleProbe): TargetCheck {
  const measured = scale.completed
    ? `${scale.archived}/${scale.variants} archived in ${scale.seconds} s`
    : `failed: ${scale.error ?? 'unknown'}`;
  return check(`${scale.variants}-variant campaign completes`, 'completes', measured, scale.completed && scale.archived === scale.variants);
}

function check(name: string, target: string, measured: string, met: boolean): TargetCheck {
  return { name, target, measured, met };
}
