import type { IncomingMessage } from 'node:http';
import { readJsonBody } from '../http';
import type { SimulatorState } from '../state';

const DAY_MS = 86_400_000;
/** "Up to 90 days of data can be queried at a time" (the SDK's organization.retrieveUsage). */
const MAX_RANGE_DAYS = 90;
/** Unset dates: the 30 days before today, and 30 days after the start (the SDK's defaults). */
const DEFAULT_DAYS = 30;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export type UsageAnswer = { status: 200; body: ReturnType<SimulatorState['usage']> } | { status: 400; error: string };

/** POST /v1/organization/usage `{ startDate?, beforeDate? }`: credits used per model per day, at most 90 days. */
export async function organizationUsage(state: SimulatorState, req: IncomingMessage): Promise<UsageAnswer> {
  const body = await readJsonBody(req);
  if (!body.ok) return { status: 400, error: body.error };
  const value = body.value ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { status: 400, error: 'The body must be a JSON object.' };
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'startDate' && key !== 'beforeDate')
      return { status: 400, error: `${key}: unknown field; allowed fields: startDate, beforeDate` };
  }
  const start = fields.startDate === undefined ? shift(state.today(), -DEFAULT_DAYS) : parseDate('startDate', fields.startDate);
  if (typeof start !== 'string') return start;
  const before = fields.beforeDate === undefined ? shift(start, DEFAULT_DAYS) : parseDate('beforeDate', fields.beforeDate);
  if (typeof before !== 'string') return before;
  if (before <= start) return { status: 400, error: 'beforeDate: must be after startDate.' };
  if (Date.parse(before) - Date.parse(start) > MAX_RANGE_DAYS * DAY_MS) {
    return { status: 400, error: `beforeDate: must be less than or equal to ${MAX_RANGE_DAYS} days after startDate.` };
  }
  return { status: 200, body: state.usage(start, before) };
}

function parseDate(field: string, value: unknown): string | { status: 400; error: string } {
  if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    return { status: 400, error: `${field}: must be an ISO-8601 date (YYYY-MM-DD).` };
  }
  return value;
}

function shift(date: string, days: number): string {
  return new Date(Date.parse(date) + days * DAY_MS).toISOString().slice(0, 10);
}
