import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Client, type ConnectionLike } from '@temporalio/client';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { InputError, RunwayTemporal } from '../../client';
import { resetSimulator, simulatorStats } from './simulator-admin';

/** The shipped examples: the seeds every workload's fuzzing mutates. */
export const examplesDir = path.resolve(__dirname, '..', '..', 'examples');

/** Thrown by the fuzzed client's Temporal connection and S3 client: the input got past every check, to the network. */
export class NotConnected extends Error {
  override readonly name = 'NotConnected';
}

/**
 * The typed client with nothing behind it: every Temporal RPC and every S3 request fails with NotConnected
 * before leaving the process. Whatever a fuzzed input makes the client do, it cannot start a workflow or stage a
 * file; an input that reaches the network at all was accepted by every parser on the way.
 */
export function unconnectedApi(): RunwayTemporal {
  const refuse = (service: string) =>
    new Proxy({}, { get: (_, rpc) => () => Promise.reject(new NotConnected(`${service}.${String(rpc)} called`)) });
  const connection = {
    workflowService: refuse('workflowService'),
    operatorService: refuse('operatorService'),
    plugins: [],
    close: async () => undefined,
    ensureConnected: () => Promise.reject(new NotConnected('ensureConnected called')),
    withDeadline: <R>(_deadline: unknown, fn: () => Promise<R>) => fn(),
    withMetadata: <R>(_metadata: unknown, fn: () => Promise<R>) => fn(),
    withAbortSignal: <R>(_signal: unknown, fn: () => Promise<R>) => fn(),
  } as unknown as ConnectionLike;
  const s3 = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  s3.middlewareStack.add(() => () => Promise.reject(new NotConnected('S3 request sent')), { step: 'initialize', name: 'notConnected' });
  return new RunwayTemporal({ client: new Client({ connection }), s3, taskQueue: 'fuzz', bucket: 'fuzz', prefix: '' });
}

/**
 * One fuzz file's unconnected client and scratch folder; after the file, the simulator of the test stack must have
 * seen no POST at all (it is the stack's only Runway, and nothing here is connected to reach it).
 */
export function fuzzSetup(name: string): { api: RunwayTemporal; dir: string } {
  const api = unconnectedApi();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-fuzz-`));
  beforeAll(() => resetSimulator());
  afterAll(async () => {
    expect((await simulatorStats()).submissions.total).toBe(0);
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { api, dir };
}

export type Outcome = { kind: 'accepted' } | { kind: 'refused'; error: InputError };

/**
 * What a parse or start did with an input: accepted it (it returned, or reached the network) or refused it with an
 * InputError that names a field or a line. Anything else — a TypeError, a RangeError, a zod error escaping — is
 * thrown on, failing the property with the input that caused it.
 */
export async function outcomeOf(run: () => unknown): Promise<Outcome> {
  try {
    await run();
    return { kind: 'accepted' };
  } catch (error) {
    if (reachedNetwork(error)) return { kind: 'accepted' };
    if (!(error instanceof InputError)) throw error;
    const named = error.field.trim() !== '' && (error.message.includes(error.field) || /\bline \d+/.test(error.message));
    if (!named) throw new Error(`an InputError that names neither a field nor a line: ${JSON.stringify(error.field)}: ${error.message}`);
    return { kind: 'refused', error };
  }
}

/** NotConnected, or an error that wraps it (the Temporal client wraps what its transport throws in a ServiceError). */
function reachedNetwork(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) if (cause instanceof NotConnected) return true;
  return false;
}

/** Strings a parser meets at the edges: empty, blank, huge, numbers and durations out of range, paths and URLs it must not follow. */
const edgeString = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\uFEFF',
  'x'.repeat(5000),
  '../../../etc/passwd',
  '/dev/zero',
  '/',
  'http://169.254.169.254/latest/meta-data/',
  'https://127.0.0.1/x.png',
  'runway://',
  'file://',
  'data:',
  'data:image/png;base64,@@@',
  '{keywords}',
  '{nope}',
  '1e309',
  'NaN',
  '-0',
  '5s',
  '0s',
  '-1h',
  '99999999999d',
);

/** Other values at the edges. */
const edgeValue = fc.constantFrom<unknown>(
  0,
  -1,
  0.5,
  1e21,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  true,
  false,
  null,
  [],
  {},
  [[]],
  {
    '': '',
  },
);

/** A string changed as a parser would hate: an edge, a scheme or a path in front of junk, junk around the original, a cut. */
function mutatedString(original: string): fc.Arbitrary<string> {
  const junk = fc.string({ unit: fc.constantFrom(...'%[]<>@:/?#\\ ^|{}"`.-_~aZ09'), maxLength: 10 });
  // An https URL the guarded fetch refuses before any connection (a private or reserved host), or that is no URL at
  // all: a fuzz run never reaches the internet, whatever the machine can reach.
  const https = fc.oneof(
    fc
      .tuple(fc.constantFrom('127.0.0.1', '[::1]', 'localhost', '10.1.2.3', '169.254.169.254', 'images.invalid'), junk)
      .map(([host, path]) => `https://${host}/${path}`),
    fc.tuple(fc.constantFrom('%zz', '[', '[::1', '<x>', '^', '|x', ' x', ''), junk).map(([host, rest]) => `https://${host}/${rest}`),
    junk.map((rest) => `https://?${rest}`),
  );
  return fc.oneof(
    { weight: 2, arbitrary: edgeString },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('file://', 'data:', 'data:image/png;base64,', 'runway://', '/', '../', '~/'), junk)
        .map(([scheme, rest]) => scheme + rest),
    },
    { weight: 1, arbitrary: https },
    { weight: 1, arbitrary: fc.tuple(junk, junk).map(([before, after]) => before + original + after) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.nat().map((at) => original.slice(0, at % (original.length + 1))) },
  );
}

/** Any JSON, or an edge value. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: edgeString },
  { weight: 1, arbitrary: edgeValue },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Container = Record<string, unknown> | unknown[];

/** Every key of every object and array in a value: the places a mutation can land, each as likely as the next. */
function slots(value: unknown, found: Array<{ place: Container; key: string }> = []): Array<{ place: Container; key: string }> {
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      found.push({ place: value as Container, key });
      slots(child, found);
    }
  }
  return found;
}

/** Every key the shipped examples use, anywhere: a mutation may add one where it does not belong, or where it is optional. */
function exampleKeys(): string[] {
  const keys = new Set<string>();
  const collect = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (!Array.isArray(value)) keys.add(key);
      collect(child);
    }
  };
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.json$/.test(entry.name)) collect(JSON.parse(fs.readFileSync(file, 'utf8')));
      else if (/\.ya?ml$/.test(entry.name)) collect(parseYaml(fs.readFileSync(file, 'utf8')));
    }
  };
  walk(examplesDir);
  return [...keys].sort();
}

const newKey = fc.oneof(fc.constantFrom(...exampleKeys()), fc.string({ maxLength: 12 }));

type Mutation = (root: unknown) => unknown;

/**
 * One change at a random key: delete it, replace its value, retype it, change a string as a string, duplicate an
 * array element, empty it, or add another key (one the examples use elsewhere, or any) beside it.
 */
const mutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.nat(), fc.integer({ min: 0, max: 8 }), anyValue, newKey, fc.integer())
  .map(([where, kind, shared, added, seed]) => (root: unknown) => {
    // A value of its own: the edge values are shared by every run, and a later mutation may land inside this one.
    const value = structuredClone(shared);
    const all = slots(root);
    if (all.length === 0) return value;
    const { place, key } = all[where % all.length]!;
    const slot = place as Record<string, unknown>;
    const current = slot[key];
    if (kind === 0) {
      if (Array.isArray(place)) place.splice(Number(key), 1);
      else delete slot[key];
    } else if (kind === 1) slot[key] = value;
    else if (kind === 2) slot[key] = retype(current);
    // The string is known only here, so its change is drawn here, from this mutation's own seed: a failure replays.
    else if (kind <= 5 && typeof current === 'string') slot[key] = fc.sample(mutatedString(current), { seed, numRuns: 1 })[0];
    else if (kind === 6 && Array.isArray(place)) place.push(structuredClone(current));
    else if (kind === 7) slot[key] = Array.isArray(current) ? [] : typeof current === 'object' && current !== null ? {} : '';
    else if (Array.isArray(place)) place.push(value);
    else slot[added || 'extra'] = value;
    return root;
  });

function retype(value: unknown): unknown {
  if (typeof value === 'string') return /^\d+(\.\d+)?$/.test(value) ? Number(value) : value.length;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (Array.isArray(value)) return value[0] ?? null;
  if (typeof value === 'object' && value !== null) return Object.values(value);
  return 'null';
}

/** Hosts a guarded fetch refuses before connecting (loopback, private, link-local) or that never resolve (.invalid). */
const OFFLINE_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost', '10.1.2.3', '169.254.169.254', 'images.invalid']);

/**
 * Every http(s) URL in a value pointed at a host no fetch can reach: the planners fetch style images and photographs
 * by URL, and a cut or a splice can turn a safe URL into a real one (`https://images.in`). A fuzz run stays offline
 * whatever the machine can reach; a string that is no URL at all stays as it is.
 */
function offline(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (/^https?:$/.test(url.protocol) && !OFFLINE_HOSTS.has(url.hostname)) return `https://images.invalid${url.pathname}`;
    } catch {
      return value;
    }
    return value;
  }
  if (typeof value === 'object' && value !== null)
    for (const [key, child] of Object.entries(value)) (value as Record<string, unknown>)[key] = offline(child);
  return value;
}

/** A shipped example changed in one to four places: new fields in the examples are fuzzed without touching this file. */
export function mutatedJson(seed: unknown): fc.Arbitrary<unknown> {
  return fc
    .array(mutation, { minLength: 1, maxLength: 4 })
    .map((mutations) => offline(mutations.reduce((value, apply) => apply(value), structuredClone(seed))));
}

/** Characters a text format cares about, to insert where they break it. */
const separators = fc.constantFrom(
  '\n',
  '\r\n',
  '\r',
  '-->',
  ' --> ',
  ':',
  ',',
  '.',
  '#',
  '```',
  '>',
  '-',
  '*',
  '|',
  '{',
  '}',
  '"',
  '\\',
  '\uFEFF',
  '\t',
  '<',
  '&',
);

type Edit = (lines: string[]) => string[];

/** One edit of a text: a line dropped, doubled, swapped, replaced or inserted; a character changed; a digit changed; a cut. */
const edit: fc.Arbitrary<Edit> = fc
  .tuple(
    fc.nat(),
    fc.nat(),
    fc.integer({ min: 0, max: 7 }),
    fc.oneof(fc.string({ maxLength: 40 }), separators, fc.string({ unit: 'binary', maxLength: 8 })),
  )
  .map(([at, other, kind, text]) => (lines: string[]) => {
    if (lines.length === 0) return [text];
    const index = at % lines.length;
    const next = [...lines];
    const line = next[index]!;
    if (kind === 0) next.splice(index, 1);
    else if (kind === 1) next.splice(index, 0, line);
    else if (kind === 2) [next[index], next[other % next.length]] = [next[other % next.length]!, line];
    else if (kind === 3) next[index] = text;
    else if (kind === 4) next.splice(index, 0, text);
    else if (kind === 5) next[index] = spliceAt(line, other, 1, text);
    else if (kind === 6)
      next[index] = line.replace(/\d/g, (digit, offset: number) => (offset % 3 === other % 3 ? String((Number(digit) + 7) % 10) : digit));
    else return next.slice(0, index).concat(line.slice(0, other % (line.length + 1)));
    return next;
  });

function spliceAt(text: string, at: number, remove: number, insert: string): string {
  const index = text.length === 0 ? 0 : at % text.length;
  return text.slice(0, index) + insert + text.slice(index + remove);
}

/** A shipped text (a transcript, a script, a JSONL file) with one to five edits. */
export function mutatedText(seed: string): fc.Arbitrary<string> {
  return fc
    .array(edit, { minLength: 1, maxLength: 5 })
    .map((edits) => edits.reduce((lines, apply) => apply(lines), seed.split('\n')).join('\n'));
}

export interface FuzzBudget {
  /** Runs to attempt. */
  runs: number;
  /** Stop there, passing, if the runs are not done (a loaded machine); at least `minRuns` must be done by then. */
  timeLimitMs: number;
  minRuns: number;
}

export const FUZZ_BUDGET: FuzzBudget = { runs: 5000, timeLimitMs: 20_000, minRuns: 1000 };

/**
 * Runs an async property over `arbitrary` within the budget and fails with fast-check's report (the seed, the
 * shrunk counterexample and its error) on the first input the property throws on. Answers how the inputs fared.
 */
export async function fuzz<T>(
  arbitrary: fc.Arbitrary<T>,
  property: (input: T) => Promise<Outcome>,
  budget: FuzzBudget = FUZZ_BUDGET,
): Promise<{ runs: number; accepted: number; refused: number }> {
  const tally = { accepted: 0, refused: 0 };
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (input) => {
      const outcome = await property(input);
      tally[outcome.kind] += 1;
    }),
    { numRuns: budget.runs, interruptAfterTimeLimit: budget.timeLimitMs, markInterruptAsFailure: false },
  );
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error
        ? `${details.errorInstance.name}: ${details.errorInstance.message}`
        : String(details.errorInstance);
    const input = JSON.stringify(details.counterexample, (_key, value: unknown) => (value === undefined ? '(undefined)' : value));
    throw new Error(`${fc.defaultReportMessage(details) ?? 'the property failed'}\nInput as JSON: ${input}\nError: ${cause}`);
  }
  if (details.numRuns < budget.minRuns)
    throw new Error(`only ${details.numRuns} inputs in ${budget.timeLimitMs} ms (at least ${budget.minRuns})`);
  return { runs: details.numRuns, ...tally };
}
