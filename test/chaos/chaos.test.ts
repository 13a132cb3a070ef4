import { runChaosExpectingHeld } from './held';
import { SMALL_CHAOS } from './options';

/**
 * The small chaos campaign: 12 variants under a cap of 4 on its own stack, with 5xx/429/resets,
 * BAD_OUTPUT, two stuck tasks, a prompt only Runway moderates, expiring URLs and a truncated download,
 * while the worker is SIGKILLed twice, Temporal restarts and S3 is down a while. `npm run chaos` runs 50.
 */
test('chaos: nothing lost, nothing doubled, cap held, bytes and credits accounted for', async () => {
  await runChaosExpectingHeld(SMALL_CHAOS);
}, 240_000);
