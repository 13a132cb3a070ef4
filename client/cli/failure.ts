import { CommanderError } from 'commander';

/** One clear line on stderr, and the exit code: 2 for bad input or usage, 1 otherwise. */
export function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message.replace(/\n\s*/g, '; ')}\n`);
  return name === 'InputError' || name === 'ZodError' ? 2 : 1;
}
