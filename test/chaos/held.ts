import type { ChaosOptions } from './options';
import { formatReport, type ChaosReport } from './report';
import { runChaosScenario } from './scenario';

/** Runs a chaos scenario, prints its report, and holds it to what every topology must keep. */
export async function runChaosExpectingHeld(options: ChaosOptions): Promise<ChaosReport> {
  const lines: string[] = [];
  const report = await runChaosScenario({ ...options, log: (line) => lines.push(line) });
  console.log([...lines, ...formatReport(report)].join('\n'));
  expect(report.checks.filter((check) => !check.ok)).toEqual([]);
  expect(report.figures.archived).toBe(report.figures.variants - 1);
  expect(report.figures.lost).toBe(0);
  expect(report.figures.unexplainedSubmissions).toBe(0);
  expect(report.figures.throttled).toBe(0);
  expect(report.figures.maxConcurrent).toBeLessThanOrEqual(report.figures.cap);
  return report;
}
