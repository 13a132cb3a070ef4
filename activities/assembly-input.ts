import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { FailureType } from '../schemas/failures';

/**
 * An assembly or package activity's input, checked against its schema: bad input is the workflow's fault, so
 * it fails at once (not retried) with what is wrong, before anything is read or written.
 */
export function parseDeliveryInput<Schema extends z.ZodType>(schema: Schema, raw: unknown, what: string): z.output<Schema> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.create({
    type: FailureType.AssemblyFailed,
    nonRetryable: true,
    message: `bad ${what} input: ${z.prettifyError(parsed.error)}`,
  });
}
