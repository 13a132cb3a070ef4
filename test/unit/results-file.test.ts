import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeResults } from '../../bench/results-file';

test('a dated results file already there is never replaced: the next run of the day takes -2, then -3', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
  const startedAt = new Date('2026-12-08T04:00:00Z');
  const names = (files: string[]) => files.map((file) => path.basename(file));
  expect(names(writeResults({ run: 1 }, 'one', { startedAt, partial: false, section: 'priority', dir }))).toEqual([
    '2026-12-08-priority.json',
    '2026-12-08-priority.md',
  ]);
  expect(names(writeResults({ run: 2 }, 'two', { startedAt, partial: false, section: 'priority', dir }))).toEqual([
    '2026-12-08-priority-2.json',
    '2026-12-08-priority-2.md',
  ]);
  expect(names(writeResults({ run: 3 }, 'three', { startedAt, partial: false, section: 'priority', dir }))[0]).toBe(
    '2026-12-08-priority-3.json',
  );
  expect(JSON.parse(fs.readFileSync(path.join(dir, '2026-12-08-priority.json'), 'utf8'))).toEqual({ run: 1 });
  // A full run's daily file likewise; latest.md and the partial pair are meant to be replaced.
  writeResults({ run: 1 }, 'full', { startedAt, partial: false, dir });
  expect(names(writeResults({ run: 2 }, 'full again', { startedAt, partial: false, dir }))).toEqual(['2026-12-08-2.json', 'latest.md']);
  writeResults({ run: 1 }, 'partial', { startedAt, partial: true, dir });
  expect(names(writeResults({ run: 2 }, 'partial again', { startedAt, partial: true, dir }))).toEqual(['partial.json', 'partial.md']);
  fs.rmSync(dir, { recursive: true, force: true });
});
