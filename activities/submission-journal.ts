import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The submission ledger on local disk, so a worker restarted on the same machine (or volume) still knows
 * the tasks it created when neither the heartbeat nor the process survived: a SIGKILL while Temporal was
 * down. One small file per activity, written (and fsynced) before the heartbeat, pruned when it expires.
 */
export class SubmissionJournal<Entry extends object> {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  write(activityKey: string, entry: Entry): void {
    const file = this.fileFor(activityKey);
    const partial = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(partial, 'w');
    try {
      fs.writeSync(fd, JSON.stringify({ activityKey, entry }));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, file);
  }

  read(activityKey: string): Entry | undefined {
    try {
      const record = JSON.parse(fs.readFileSync(this.fileFor(activityKey), 'utf8')) as { activityKey?: string; entry?: Entry };
      return record.activityKey === activityKey ? record.entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** Files older than any attempt of their activity can be. */
  prune(olderThanMs: number): void {
    const oldest = Date.now() - olderThanMs;
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name);
      try {
        if (fs.statSync(file).mtimeMs < oldest) fs.rmSync(file, { force: true });
      } catch {
        // removed meanwhile
      }
    }
  }

  private fileFor(activityKey: string): string {
    return path.join(this.dir, `${createHash('sha256').update(activityKey).digest('hex').slice(0, 32)}.json`);
  }
}
