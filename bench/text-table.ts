/** Rows of cells as aligned plain-text lines (the first row is the header). */
export function textTable(rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** The same rows as a Markdown table. */
export function markdownTable(rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const [header, ...body] = rows;
  if (!header) return [];
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)];
}
