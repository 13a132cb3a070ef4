import { z } from 'zod';

/** A strict object whose unknown-key error names the stray field and lists the allowed ones (typos show at once). */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}; allowed: ${allowed}`
        : undefined,
  });
}
