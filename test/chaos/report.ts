import fs from 'node:fs';
import path from 'node:path';
import type { ChaosOptions, ChaosTopology } from './options';
import type { SimulatorSnapshot } from '../../simulator/state';

export interface ChaosEvent {
  kind: 'worker_sigkill' | 'temporal_restart' | 'postgres_restart' | 's3_outage' | 'worker_unexpected_exit';
  /** Seconds since the campaign started. */
  atSec: number;
  /** Seconds the service was away (for kills: until the new worker was ready). */
  downSec: number;
  /** Runway tasks PENDING/RUNNING at that moment, and the campaign's progress. */
  inFlight: number;
  succeededSoFar: number;
}

export interface ChaosCheck {
  name: string;
  ok: boolean;
  expected: string;
  actual: string;
}

export interface VariantAccount {
  variantId: string;
  role: string;
  outcome: string;
  tasks: Array<{ id: string; status: string; failureCode: string | null; explanation: string; explained: boolean }>;
}

export interface ChaosReport {
  label: string;
  /** Where it ran: the dev stack or the production topology (absent in reports written before there was a choice). */
  topology?: ChaosTopology;
  topologyDescription?: string;
  /** Where the services' and workers' logs are. */
  logsDir?: string;
  /** The command that made it (set by run.ts). */
  command?: string;
  startedAt: string;
  options: Omit<ChaosOptions, 'log'>;
  dataDir: string;
  campaignId: string;
  figures: {
    variants: number;
    archived: number;
    failed: number;
    lost: number;
    strayObjects: number;
    submissions: number;
    expectedSubmissions: number;
    deliberateResubmissions: { badOutput: number; stuckQueue: number };
    unexplainedSubmissions: number;
    maxConcurrent: number;
    cap: number;
    throttled: number;
    sha256Checked: number;
    sha256Mismatches: number;
    credits: {
      listPrice: number;
      charged: number;
      refunded: number;
      net: number;
      expectedNet: number;
      productReported: number;
    };
    wallTimeSec: number;
    stackStartSec: number;
    totalSec: number;
    workerProcesses: number;
    resumedGenerations: number;
    missedPolls: number;
    faultsInjected: Record<string, number>;
    rejectedByStatus: Record<string, number>;
    downloads: SimulatorSnapshot['downloads'];
    gets: number;
    deletes: number;
  };
  events: ChaosEvent[];
  variants: VariantAccount[];
  checks: ChaosCheck[];
  ok: boolean;
}

export function writeReport(report: ChaosReport, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** The report as the plain-text table `npm run chaos` prints. */
export function formatReport(report: ChaosReport): string[] {
  const { figures: f } = report;
  const lines: string[] = [];
  lines.push('');
  lines.push(`CHAOS ${report.label}: ${f.variants} variants, cap ${f.cap}, campaign ${report.campaignId}`);
  lines.push(`topology: ${report.topologyDescription ?? 'dev stack'}`);
  lines.push('');
  const rows: Array<[string, string, string, string]> = report.checks.map((check) => [
    check.ok ? 'ok' : 'FAIL',
    check.name,
    check.expected,
    check.actual,
  ]);
  lines.push(...table(['', 'check', 'expected', 'actual'], rows));
  lines.push('');
  lines.push('figures');
  const figureRows: Array<[string, string]> = [
    ['archived / failed / lost', `${f.archived} / ${f.failed} / ${f.lost}`],
    [
      'POSTs (expected)',
      `${f.submissions} (${f.expectedSubmissions}: ${f.variants} + ${f.deliberateResubmissions.badOutput} BAD_OUTPUT + ${f.deliberateResubmissions.stuckQueue} stuck)`,
    ],
    ['unexplained duplicate submissions', String(f.unexplainedSubmissions)],
    ['max concurrent / cap', `${f.maxConcurrent} / ${f.cap}`],
    ['THROTTLED', String(f.throttled)],
    ['sha256 checked / mismatched', `${f.sha256Checked} / ${f.sha256Mismatches}`],
    ['credits list price', String(f.credits.listPrice)],
    [
      'credits charged / refunded / net',
      `${f.credits.charged} / ${f.credits.refunded} / ${f.credits.net} (expected net ${f.credits.expectedNet})`,
    ],
    ['credits reported by the campaign', `${f.credits.productReported} (Runway's net bill: ${f.credits.net})`],
    ['wall time (campaign)', `${f.wallTimeSec} s`],
    ['stack start / whole run', `${f.stackStartSec} s / ${f.totalSec} s`],
    ['worker processes', String(f.workerProcesses)],
    ['generations resumed after a crash', String(f.resumedGenerations)],
    ['missed polls absorbed', String(f.missedPolls)],
    ['GET / DELETE requests', `${f.gets} / ${f.deletes}`],
    ['rejected by status', describe(f.rejectedByStatus)],
    ['faults injected', describe(f.faultsInjected)],
    ['downloads', `${f.downloads.total} (truncated ${f.downloads.truncated}, refused as expired ${f.downloads.forbidden})`],
  ];
  lines.push(...table(['figure', 'value'], figureRows));
  lines.push('');
  lines.push('disruptions');
  lines.push(
    ...table(
      ['at', 'what', 'away', 'Runway tasks in flight', 'succeeded so far'],
      report.events.map((event) => [
        `${event.atSec} s`,
        event.kind,
        `${event.downSec.toFixed(1)} s`,
        String(event.inFlight),
        String(event.succeededSoFar),
      ]),
    ),
  );
  const resubmitted = report.variants.filter(
    (variant) => variant.tasks.length > 1 || variant.tasks.some((task) => !task.explained) || variant.outcome !== 'archived',
  );
  if (resubmitted.length > 0) {
    lines.push('');
    lines.push('variants with more than one Runway task, or not archived');
    for (const variant of resubmitted) {
      lines.push(`  ${variant.variantId} (${variant.role}) → ${variant.outcome}`);
      for (const task of variant.tasks)
        lines.push(
          `    ${task.explained ? ' ' : '!'} ${task.id} ${task.status}${task.failureCode ? ` ${task.failureCode}` : ''}: ${task.explanation}`,
        );
    }
  }
  lines.push('');
  lines.push(
    report.ok
      ? `CHAOS OK: all ${report.checks.length} checks passed`
      : `CHAOS FAILED: ${report.checks
          .filter((check) => !check.ok)
          .map((check) => check.name)
          .join('; ')}`,
  );
  lines.push(`logs: ${report.logsDir ?? `${report.dataDir}/logs`}`);
  return lines;
}

function describe(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? 'none' : entries.map(([key, value]) => `${key} ${value}`).join(', ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.min(70, Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length))));
  const format = (row: string[]) =>
    `  ${row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()}`;
  return [format(header), `  ${widths.map((width) => '-'.repeat(width)).join('  ')}`, ...rows.map(format)];
}
