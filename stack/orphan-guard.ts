import { spawn } from 'node:child_process';

// Polls once a second; when the parent is gone but the group still lives,
// sends SIGTERM to the group, then SIGKILL ten seconds later. Exits as soon
// as the group is gone. (dash's kill takes `-PGID` without `--`.)
const guardScript = `
parent="$1"; group="$2"
while kill -0 "$parent" 2>/dev/null && kill -0 "-$group" 2>/dev/null; do sleep 1; done
kill -0 "-$group" 2>/dev/null || exit 0
kill -TERM "-$group" 2>/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "-$group" 2>/dev/null || exit 0; sleep 1; done
kill -KILL "-$group" 2>/dev/null
`;

/**
 * Makes sure a child process group dies with this process even when this
 * process is killed with SIGKILL (where no exit handler runs): a tiny detached
 * shell watches our pid and takes the group down after we are gone.
 */
export function guardAgainstOrphaning(processGroupId: number): void {
  const guard = spawn('/bin/sh', ['-c', guardScript, 'orphan-guard', String(process.pid), String(processGroupId)], {
    detached: true,
    stdio: 'ignore',
  });
  guard.unref();
}
