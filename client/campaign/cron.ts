/**
 * A schedule's cron string read as Temporal's own parser reads it (server 1.29, service/worker/scheduler/calendar.go),
 * so a string Temporal would refuse is refused here first, naming the field: `[CRON_TZ=<zone> ]` then 5 fields
 * (minute hour day-of-month month day-of-week), 6 (and a year) or 7 (a second first, and a year); `@hourly`,
 * `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`; `@every <interval>[/<phase>]`; a comment
 * after `#`. Each field: `*`, a value, `a-b`, `a/step`, `a-b/step` or `*\/step`, comma-separated; months and days
 * of the week also by name. A few strings Temporal would take are refused here as well (a signed or fractional
 * step, a step longer than its field); they say what to write instead.
 */

const FIELDS = {
  second: { min: 0, max: 59 },
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  'day-of-month': { min: 1, max: 31 },
  month: {
    min: 1,
    max: 12,
    names: ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
    first: 1,
    shortest: 3,
  },
  'day-of-week': {
    min: 0,
    max: 7,
    names: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
    first: 0,
    shortest: 2,
  },
  year: { min: 2000, max: 2100 },
} as const;
type FieldName = keyof typeof FIELDS;
type Field = { min: number; max: number; names?: readonly string[]; first?: number; shortest?: number };

const PREDEFINED = new Map([
  ['@yearly', '0 0 1 1 *'],
  ['@annually', '0 0 1 1 *'],
  ['@monthly', '0 0 1 * *'],
  ['@weekly', '0 0 * * 0'],
  ['@daily', '0 0 * * *'],
  ['@midnight', '0 0 * * *'],
  ['@hourly', '0 * * * *'],
]);

const MAX_COMMENT = 200;
/** Go's unicode.IsSpace, which Temporal splits fields on: JavaScript's \s also takes U+FEFF and not U+0085. */
const SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPACES = new RegExp(`[${SPACE}]+`);
const trim = (text: string) => text.replace(new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, 'g'), '');
/** Go's durations end near 292 years; an interval anywhere near that is a mistake. */
const MAX_INTERVAL_MS = 100 * 365 * 86_400_000;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+$/;

/** Why Temporal would refuse this cron string, in the user's words; undefined when it reads. */
export function cronProblem(cron: string): string | undefined {
  let rest = trim(cron);
  // Temporal splits the zone off at the first space (not a tab), and every run of spaces after it counts.
  const zone = /^(?:CRON_)?TZ=([^ ]*)(?: |$)/.exec(rest);
  if (zone) {
    if (zone[0].trimEnd() === rest)
      return 'a time zone (CRON_TZ=…) must be followed by the schedule, e.g. "CRON_TZ=Europe/Paris 0 9 * * 1"';
    if (!knownZone(zone[1]!)) return `unknown time zone "${zone[1]}" (an IANA name such as Europe/Paris)`;
    rest = rest.slice(zone[0].length);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    if (trim(rest.slice(hash + 1)).length > MAX_COMMENT) return `the comment after # is longer than ${MAX_COMMENT} characters`;
    rest = rest.slice(0, hash);
  }
  rest = trim(rest);
  if (rest.startsWith('@every')) return everyProblem(rest);
  rest = PREDEFINED.get(rest) ?? rest;
  const tokens = rest.split(SPACES).filter((token) => token !== '');
  const names: FieldName[] | undefined =
    tokens.length === 5
      ? ['minute', 'hour', 'day-of-month', 'month', 'day-of-week']
      : tokens.length === 6
        ? ['minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year']
        : tokens.length === 7
          ? ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year']
          : undefined;
  if (!names)
    return `cron must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1", a 6th for the year or 7 with seconds first; or @daily, @hourly, @every 6h…; got ${tokens.length}`;
  for (const [index, name] of names.entries()) {
    const problem = fieldProblem(tokens[index]!, name, FIELDS[name]);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(token: string, name: FieldName, field: Field): string | undefined {
  if (token === '*' && name === 'year') return undefined;
  for (const part of token.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) return `${name} "${part}" has more than one /`;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max - field.min + 1)
        return `${name} "${part}": the step after / must be a whole number from 1 to ${field.max - field.min + 1}`;
    }
    if (range === '*') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `${name} "${part}" has more than one -`;
    const values = bounds.map((bound) => value(bound, field));
    if (values.some((found) => found === undefined))
      return `${name} "${part}" is not ${field.names ? 'a number or name' : 'a number'} from ${field.min} to ${field.max}`;
    if (values.length === 2 && values[1]! < values[0]!) return `${name} "${part}": the range ends before it starts`;
  }
  return undefined;
}

function value(text: string, field: Field): number | undefined {
  const lower = text.toLowerCase();
  if (field.names && lower.length >= field.shortest!) {
    const index = field.names.findIndex((name) => name.startsWith(lower));
    if (index >= 0) return index + field.first!;
  }
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const number = Number(text);
  return number >= field.min && number <= field.max ? number : undefined;
}

function everyProblem(text: string): string | undefined {
  // Temporal takes everything after the first space as the duration: one space, then no blank.
  const match = /^@every (\S+)$/.exec(text);
  const [interval, phase, extra] = (match?.[1] ?? '').split('/');
  const example = 'e.g. "@every 6h" or "@every 1d/2h" (an interval, then an optional offset)';
  if (!match || extra !== undefined || !DURATION.test(interval!) || (phase !== undefined && !DURATION.test(phase)))
    return `@every takes a duration such as 90s, 15m, 6h or 1d: ${example}`;
  const intervalMs = durationMs(interval!);
  if (intervalMs < 1000) return '@every must be at least 1s';
  if (intervalMs > MAX_INTERVAL_MS) return '@every must be at most 36500d';
  if (phase !== undefined && durationMs(phase) >= intervalMs) return `the offset after / must be shorter than the interval: ${example}`;
  return undefined;
}

function durationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}

/** An IANA zone as spelt in the tz database (Temporal loads it by that exact name); empty means UTC. */
function knownZone(zone: string): boolean {
  return zone === '' || zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone);
}
