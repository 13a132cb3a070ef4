export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
  partial: boolean;
}

/**
 * Interpret a Range header for a resource of `size` bytes. Single ranges only (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`); anything else is ignored and the whole resource is served, as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' {
  const whole: ByteRange = { start: 0, end: size - 1, partial: false };
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return whole;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return whole;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1, partial: true };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end, partial: true };
}
