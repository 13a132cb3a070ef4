import fs from 'node:fs';
import path from 'node:path';

export const RESULTS_DIR = path.resolve(__dirname, 'results');

/**
 * A full run goes to `results/<YYYY-MM-DD>.json` (one file per day: the history stays in the repo) and
 * its tables to `results/latest.md`, which names that file; a partial one (--only, --variants) only to
 * `results/partial.json` and `results/partial.md`, so it never replaces the figures of a full run. A full
 * run of one section alone (`--sections assembly`) keeps its own pair, `results/<YYYY-MM-DD>-<section>.json`
 * and `.md`. A dated file already there (an earlier run that day, committed) is never replaced: the next run
 * takes `-2`, `-3`, ...
 */
export function writeResults(
  results: unknown,
  markdown: string,
  options: { startedAt: Date; partial: boolean; section?: string; dir?: string },
): string[] {
  const dir = options.dir ?? RESULTS_DIR;
  fs.mkdirSync(dir, { recursive: true });
  const day = options.startedAt.toISOString().slice(0, 10);
  const base = options.section ? unused(dir, `${day}-${options.section}`) : options.partial ? 'partial' : unused(dir, day);
  const jsonName = `${base}.json`;
  const tables = options.partial && !options.section ? markdown : `Figures of [\`${jsonName}\`](${jsonName}).\n\n${markdown}`;
  const files = [
    [jsonName, `${JSON.stringify(results, null, 2)}\n`] as const,
    [options.section ? `${base}.md` : options.partial ? 'partial.md' : 'latest.md', tables] as const,
  ];
  return files.map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
}

/** `base`, or the first of `base-2`, `base-3`, ... that no results file has taken. */
function unused(dir: string, base: string): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!fs.existsSync(path.join(dir, `${name}.json`)) && !fs.existsSync(path.join(dir, `${name}.md`))) return name;
  }
}
