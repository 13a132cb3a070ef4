import fs from 'node:fs';

/** CPU seconds consumed so far by each direct child process of this one (the stack's services), by name. */
export function childProcessCpuSeconds(): Record<string, number> {
  const result: Record<string, number> = {};
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat || stat.ppid !== process.pid) continue;
    result[stat.name] = (result[stat.name] ?? 0) + stat.cpuSeconds;
  }
  return result;
}

/** Per-name CPU seconds spent between two readings. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, seconds]) => [name, Math.round((seconds - (before[name] ?? 0)) * 100) / 100]),
  );
}

/** Linux clock ticks per second: 100 on every mainstream kernel config. */
const CLOCK_TICKS = 100;

function readStat(pid: string): { name: string; ppid: number; cpuSeconds: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // After "(comm) ": state ppid … utime is field 14 and stime 15 of the whole line (index 11 and 12 here).
    const ppid = Number(fields[1]);
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    return { name, ppid, cpuSeconds };
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
