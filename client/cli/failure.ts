import { CommanderError } from 'commander';

/** One clear line on stderr, and the exit code: 2 for bad input or usage, 1 otherwise. */
export function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${oneLine(message)}\n`);
  return name === 'InputError' || name === 'ZodError' ? 2 : 1;
}

/** "invalid campaign:\n  a: x\n  b: y" → "invalid campaign: a: x; b: y" */
function oneLine(message: string): string {
  return message.replace(/:\n\s*/, ': ').replace(/\n\s*/g, '; ');
}
