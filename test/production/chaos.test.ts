import { formatReport } from '../chaos/report';
import { SMALL_PRODUCTION_CHAOS } from '../chaos/options';
import { runChaosScenario } from '../chaos/scenario';

/**
 * The small chaos campaign (12 variants under a cap of 4, every kind of Runway fault) on the production topology:
 * PostgreSQL, the Temporal server on SQL persistence and visibility, three worker replicas on one queue. Two
 * replicas are SIGKILLed, the Temporal server restarts, PostgreSQL crashes under it and S3 is down a while.
 */
test('production chaos: nothing lost, nothing doubled, cap held, bytes and credits accounted for, through a PostgreSQL crash', async () => {
  const lines: string[] = [];
  const report = await runChaosScenario({ ...SMALL_PRODUCTION_CHAOS, log: (line) => lines.push(line) });
  console.log([...lines, ...formatReport(report)].join('\n'));
  expect(report.topology).toBe('production');
  expect(report.checks.filter((check) => !check.ok)).toEqual([]);
  expect(report.events.map((event) => event.kind)).toEqual(
    expect.arrayContaining(['worker_sigkill', 'temporal_restart', 'postgres_restart', 's3_outage']),
  );
  expect(report.figures.archived).toBe(report.figures.variants - 1);
  expect(report.figures.lost).toBe(0);
  expect(report.figures.unexplainedSubmissions).toBe(0);
  expect(report.figures.throttled).toBe(0);
  expect(report.figures.maxConcurrent).toBeLessThanOrEqual(report.figures.cap);
}, 360_000);
