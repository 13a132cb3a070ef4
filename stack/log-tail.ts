import fs from 'node:fs';

/** The last `lineCount` lines of a log file, or '' when it cannot be read. */
export function readLogTail(logFile: string, lineCount = 20): string {
  try {
    return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lineCount).join('\n');
  } catch {
    return '';
  }
}
