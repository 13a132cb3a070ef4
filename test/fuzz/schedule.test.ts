import fs from 'node:fs';
import path from 'node:path';
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import fc from 'fast-check';
import { InputError } from '../../client';
import { cronExpressionSchema } from '../../client/campaign/schedule-input';
import { examplesDir, fuzz, fuzzSetup, mutatedJson, mutatedText, outcomeOf, type Outcome } from '../helpers/fuzz';
import { temporalConnection, testStack } from '../helpers/stack';

/**
 * Schedule specs: the options of a campaign schedule (id, cron or every, overlap, paused, note), generated and
 * mutated, through the typed client with nothing behind it — created or refused with an InputError naming the field.
 * Then Temporal's own parser as the oracle: a cron string the client accepts, the test stack's server accepts too
 * (checked by creating it paused, where nothing ever starts, and deleting it).
 */
const campaign = JSON.parse(fs.readFileSync(path.join(examplesDir, 'documentary-broll.json'), 'utf8')) as object;
const seeds = [
  { scheduleId: 'nightly-broll', cron: '0 2 * * *', overlap: 'skip' },
  { scheduleId: 'hourly-broll', every: '1h', overlap: 'buffer_one', paused: true, note: 'paused until the edit is locked' },
  { scheduleId: 'weekday-mornings', cron: 'CRON_TZ=Europe/Paris 30 9 * * mon-fri # before the stand-up' },
];
const { api } = fuzzSetup('schedule');

/** Cron strings near the grammar: fields of values, ranges, steps, lists and names; the @ forms; zones and comments. */
const cron: fc.Arbitrary<string> = (() => {
  const number = fc.oneof(fc.integer({ min: 0, max: 61 }), fc.integer({ min: 1990, max: 2110 }), fc.constantFrom(99, 100, 1e10));
  const name = fc.constantFrom('jan', 'JAN', 'january', 'ja', 'sep', 'sept', 'mon', 'Mo', 'tu', 'thurs', 'sun', 's', 'x');
  const value = fc.oneof(number.map(String), name);
  const part = fc.oneof(
    fc.constant('*'),
    value,
    fc.tuple(value, value).map(([a, b]) => `${a}-${b}`),
    fc
      .tuple(fc.oneof(fc.constant('*'), value), fc.oneof(fc.integer({ min: 0, max: 70 }).map(String), fc.constantFrom('', '+2', '1.5')))
      .map(([a, step]) => `${a}/${step}`),
    fc.constantFrom('1-2-3', '*/2/3', '', '-1', '?', 'L'),
  );
  const field = fc.array(part, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(','));
  const fields = fc
    .tuple(fc.array(field, { minLength: 4, maxLength: 8 }), fc.constantFrom(' ', ' ', '  ', '\t'))
    .map(([list, gap]) => list.join(gap));
  const duration = fc
    .array(
      fc.tuple(
        fc.oneof(fc.nat(100).map(String), fc.constantFrom('1.5', '.5', '0', '1.')),
        fc.constantFrom('ns', 'ms', 's', 'm', 'h', 'd', 'w', ''),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((pieces) => pieces.map(([amount, unit]) => amount + unit).join(''));
  const every = fc
    .tuple(duration, fc.option(duration, { nil: undefined }), fc.constantFrom(' ', '  ', ''))
    .map(([interval, phase, gap]) => `@every${gap}${interval}${phase !== undefined ? `/${phase}` : ''}`);
  const predefined = fc.constantFrom(
    '@hourly',
    '@daily',
    '@midnight',
    '@weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '@reboot',
    '@',
    '@DAILY',
  );
  const body = fc.oneof({ weight: 4, arbitrary: fields }, { weight: 1, arbitrary: every }, { weight: 1, arbitrary: predefined });
  const zone = fc.constantFrom(
    '',
    'CRON_TZ=Europe/Paris ',
    'TZ=UTC ',
    'CRON_TZ=Mars/Olympus ',
    'CRON_TZ=europe/paris ',
    'CRON_TZ=Europe/Paris',
    'TZ= ',
  );
  const comment = fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(201))), { nil: undefined });
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(zone, body, comment).map(([prefix, text, note]) => `${prefix}${text}${note !== undefined ? ` #${note}` : ''}`),
    },
    { weight: 1, arbitrary: mutatedText('30 9 * * mon-fri') },
  );
})();

test('schedule options, generated and mutated: created or refused with an InputError naming the field', async () => {
  const options = fc.oneof(
    { weight: 3, arbitrary: fc.oneof(...seeds.map(mutatedJson)) },
    { weight: 2, arbitrary: cron.map((text) => ({ scheduleId: 'fuzzed-cron', cron: text })) },
  );
  const tally = await fuzz(options, (value) =>
    outcomeOf(() => api.schedules.createSchedule({ ...(value as object), campaign, baseDir: examplesDir } as never)),
  );
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);

test("every cron string the client accepts, Temporal's own parser accepts: checked against the server, paused", async () => {
  const connection = await temporalConnection();
  const client = new Client({ connection, namespace: testStack().namespace });
  let created = 0;
  const serverRefusals: string[] = [];
  try {
    const tally = await fuzz(
      cron,
      async (text): Promise<Outcome> => {
        // What the client would send: its parsed (trimmed) string when it accepts, else the text as given.
        const parsed = cronExpressionSchema.safeParse(text);
        const sent = parsed.success ? parsed.data : text;
        const verdict = await outcomeOf(() => {
          if (!parsed.success) throw new InputError('cron', parsed.error.issues[0]!.message);
        });
        const scheduleId = `fuzz-cron-${created++}`;
        try {
          await client.schedule.create({
            scheduleId,
            spec: { cronExpressions: [sent] },
            action: { type: 'startWorkflow', workflowType: 'CampaignWorkflow', taskQueue: 'fuzz-schedules-never-polled', args: [] },
            state: { paused: true, note: 'created by the cron fuzz test; never unpaused' },
          });
          await client.schedule.getHandle(scheduleId).delete();
        } catch (error) {
          if (error instanceof ScheduleNotFoundError) throw error;
          if (verdict.kind === 'accepted')
            throw new Error(`the client accepted ${JSON.stringify(text)}, Temporal refused it: ${(error as Error).message}`);
          serverRefusals.push(text);
        }
        return verdict;
      },
      { runs: 600, timeLimitMs: 20_000, minRuns: 150 },
    );
    expect(tally.accepted).toBeGreaterThan(0);
    expect(serverRefusals.length).toBeGreaterThan(0);
  } finally {
    await connection.close();
  }
}, 90_000);
