import fs from 'node:fs';
import path from 'node:path';

export const RESULTS_DIR = path.resolve(__dirname, 'results');

/**
 * A full run goes to `results/<YYYY-MM-DD>.json`, `results/latest.json` and the tables to
 * `results/latest.md`; a partial one (--only, --variants) only to `results/partial.json` and
 * `results/partial.md`, so it never replaces the figures of a full run.
 */
export function writeResults(results: unknown, markdown: string, options: { startedAt: Date; partial: boolean }): string[] {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonNames = options.partial ? ['partial.json'] : [`${options.startedAt.toISOString().slice(0, 10)}.json`, 'latest.json'];
  const files = [...jsonNames.map((name) => [name, `${JSON.stringify(results, null, 2)}\n`] as const), [options.partial ? 'partial.md' : 'latest.md', markdown] as const];
  return files.map(([name, text]) => {
    const file = path.join(RESULTS_DIR, name);
    fs.writeFileSync(file, text);
    return file;
  });
}
