import { z } from 'zod';
import { ID_PATTERN } from './id-pattern';

export const idSchema = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .regex(ID_PATTERN, `${what} must be 1-64 characters of letters, digits, "_" or "-", starting with a letter or digit`);

/** An S3 key prefix: relative, no "..", no leading "/", ends with "/" when not empty. */
export const keyPrefixSchema = z
  .string()
  .max(256)
  .refine((prefix) => !prefix.startsWith('/'), 'archive.prefix must not start with "/"')
  .refine(
    (prefix) => !prefix.split('/').some((part) => part === '..' || part === '.'),
    'archive.prefix must not contain "." or ".." segments',
  )
  .refine((prefix) => /^[A-Za-z0-9/_.-]*$/.test(prefix), 'archive.prefix may hold only letters, digits, "/", "_", "." and "-"')
  .transform((prefix) => (prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`));

export const bucketSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'archive.bucket must be a valid S3 bucket name (3-63 lowercase letters, digits, "." or "-")',
  );
