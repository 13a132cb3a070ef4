/** Bad input, found before anything is submitted: names the field and what is allowed. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** One readable error out of a zod error, each issue on its own line with its field path. */
export function inputErrorFromZod(what: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): InputError {
  const lines = issues.map((issue) => `${formatPath(issue.path) || what}: ${issue.message}`);
  const first = issues[0];
  const error = new InputError(formatPath(first?.path ?? []) || what, lines.join('\n'));
  error.message = `invalid ${what}:\n  ${lines.join('\n  ')}`;
  return error;
}

function formatPath(path: PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}
