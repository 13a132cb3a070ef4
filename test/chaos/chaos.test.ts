import { formatReport } from './report';
import { SMALL_CHAOS } from './options';
import { runChaosScenario } from './scenario';

/**
 * The small chaos campaign: 12 variants under a cap of 4 on its own stack, with 5xx/429/resets,
 * BAD_OUTPUT, two stuck tasks, a prompt only Runway moderates, expiring URLs and a truncated download,
 * while the worker is SIGKILLed twice, Temporal restarts and S3 is down a while. `npm run chaos` runs 50.
 */
test('chaos: nothing lost, nothing doubled, cap held, bytes and credits accounted for', async () => {
  const lines: string[] = [];
  const report = await runChaosScenario({ ...SMALL_CHAOS, log: (line) => lines.push(line) });
  console.log([...lines, ...formatReport(report)].join('\n'));
  expect(report.checks.filter((check) => !check.ok)).toEqual([]);
  expect(report.figures.archived).toBe(report.figures.variants - 1);
  expect(report.figures.lost).toBe(0);
  expect(report.figures.unexplainedSubmissions).toBe(0);
  expect(report.figures.throttled).toBe(0);
  expect(report.figures.maxConcurrent).toBeLessThanOrEqual(report.figures.cap);
}, 240_000);
