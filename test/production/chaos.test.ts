import { runChaosExpectingHeld } from '../chaos/held';
import { SMALL_PRODUCTION_CHAOS } from '../chaos/options';

/**
 * The small chaos campaign (20 variants under a cap of 4, every kind of Runway fault) on the production topology:
 * PostgreSQL, the Temporal server on SQL persistence and visibility, three worker replicas on one queue. Two
 * replicas are SIGKILLed, the Temporal server restarts, PostgreSQL crashes under it and S3 is down a while.
 */
test('production chaos: nothing lost, nothing doubled, cap held, bytes and credits accounted for, through a PostgreSQL crash', async () => {
  const report = await runChaosExpectingHeld(SMALL_PRODUCTION_CHAOS);
  expect(report.topology).toBe('production');
  expect(report.events.map((event) => event.kind)).toEqual(
    expect.arrayContaining(['worker_sigkill', 'temporal_restart', 'postgres_restart', 's3_outage']),
  );
}, 360_000);
