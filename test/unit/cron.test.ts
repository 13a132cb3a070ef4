import { cronProblem } from '../../client/campaign/cron';
import { scheduleOptionsSchema } from '../../client/campaign/schedule-input';

/**
 * A schedule's cron string is refused by the client exactly where Temporal would refuse it: each case below was
 * a string the client once passed to the server, which answered with a raw INVALID_ARGUMENT (found by
 * test/fuzz/schedule.test.ts, whose oracle is the server itself).
 */
test.each([
  ['99 * * * *', /minute "99" is not a number from 0 to 59/],
  ['0 9 * 13 *', /month "13" is not a number or name from 1 to 12/],
  ['0 9 * * 1-2-3', /day-of-week "1-2-3" has more than one -/],
  ['0 9 5-2 * *', /day-of-month "5-2": the range ends before it starts/],
  ['*/0 * * * *', /the step after \/ must be a whole number/],
  ['0 9 * * 1 1999', /year "1999" is not a number from 2000 to 2100/],
  [`@hourly #${'x'.repeat(201)}`, /the comment after # is longer than 200 characters/],
  ['30\uFEFF9 * * mon-fri', /must have 5 fields.*got 4/],
  ['CRON_TZ=Mars/Olympus 0 9 * * 1', /unknown time zone "Mars\/Olympus"/],
  ['CRON_TZ=Europe/Paris', /must be followed by the schedule/],
  ['@every  1h', /@every takes a duration/],
  ['@every 500ms', /@every must be at least 1s/],
  ['@every 1h/2h', /the offset after \/ must be shorter than the interval/],
  ['@reboot', /must have 5 fields/],
  ['constructor', /must have 5 fields/],
])('refused: %j', (cron, why) => {
  expect(cronProblem(cron)).toMatch(why);
  expect(() => scheduleOptionsSchema.parse({ scheduleId: 'nightly', cron })).toThrow();
});

test.each([
  '0 9 * * 1',
  '*/15 * * * *',
  '30 9 * * mon-fri',
  '0 0 1 jan,jul *',
  '0 0 * * 7',
  '0 12 * * sun 2030',
  '0 30 9 * * * 2031',
  'CRON_TZ=Europe/Paris 30 9 * * mon-fri # before the stand-up',
  'TZ=UTC 0 0 * * *',
  '@daily',
  '@every 6h',
  '@every 1d/2h',
  '@every 1.5h',
])('accepted: %j', (cron) => {
  expect(cronProblem(cron)).toBeUndefined();
});
