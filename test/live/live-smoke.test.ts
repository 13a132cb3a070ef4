import { liveSmokeSettings, runLiveSmoke, LIVE_SMOKE_LIST_CREDITS, type LiveSmokeReport } from './live-smoke';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { s3Client, testStack } from '../helpers/stack';

/** The user's own secret, kept by the global setup before the test stack's (the simulator's) replaced it. */
const settings = liveSmokeSettings(process.env, process.env.RUNWAY_LIVE_API_SECRET);
if (!settings.run) console.log(`live smoke test against the real Runway API skipped: ${settings.reason}`);

/** The smoke run against this Runway, with the test stack's Temporal and S3. */
async function smokeAgainst(runway: { baseUrl: string; apiSecret: string }, log: (line: string) => void): Promise<LiveSmokeReport> {
  const stack = testStack();
  const s3 = s3Client();
  try {
    return await runLiveSmoke({
      runway,
      temporal: { address: stack.temporalAddress, namespace: stack.namespace },
      s3,
      bucket: stack.s3.bucket,
      log,
    });
  } finally {
    s3.destroy();
  }
}

test('the live smoke run, rehearsed against the simulator: one 2 s generation archived with its sha256, the balance read before and after', async () => {
  await resetSimulator({ creditBalance: 1000 });
  const stack = testStack();
  const lines: string[] = [];
  const report = await smokeAgainst({ baseUrl: stack.runwayBaseUrl, apiSecret: stack.runwayApiSecret }, (line) => lines.push(line));
  const stats = await simulatorStats();
  expect(stats.submissions.total).toBe(1);
  expect(report.credits).toBe(LIVE_SMOKE_LIST_CREDITS);
  expect(report.balanceBefore - report.balanceAfter).toBe(report.credits);
  expect(stats.tasks.find((task) => task.id === report.runwayTaskId)?.outputSha256).toBe(report.sha256);
  expect(lines.join('\n')).toContain('credit balance before: 1000');
}, 120_000);

(settings.run ? test : test.skip)(
  'live: one real gen4.5 2 s generation through the worker, archived to S3 with its sha256; the bill equals the balance spent',
  async () => {
    if (!settings.run) return;
    const report = await smokeAgainst({ baseUrl: settings.baseUrl, apiSecret: settings.apiSecret }, (line) => console.log(line));
    expect(report.balanceBefore - report.balanceAfter).toBe(report.credits);
  },
  15 * 60_000,
);
