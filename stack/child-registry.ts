/**
 * Process groups of running children. Whatever way this process ends
 * (normal exit, SIGINT, SIGTERM, SIGHUP), the groups get SIGTERM.
 */
const liveProcessGroups = new Set<number>();
let handlersInstalled = false;

const exitCodeBySignal: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export function registerChildGroup(processGroupId: number): void {
  installHandlersOnce();
  liveProcessGroups.add(processGroupId);
}

export function unregisterChildGroup(processGroupId: number): void {
  liveProcessGroups.delete(processGroupId);
}

export function signalProcessGroup(processGroupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-processGroupId, signal);
  } catch {
    // already gone
  }
}

function terminateAllGroups(): void {
  for (const group of liveProcessGroups) signalProcessGroup(group, 'SIGTERM');
}

function installHandlersOnce(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', terminateAllGroups);
  for (const signal of Object.keys(exitCodeBySignal) as NodeJS.Signals[]) {
    process.on(signal, () => onSignal(signal));
  }
}

/**
 * If someone else (e.g. `npm run stack`) listens for the signal, they own the
 * shutdown; otherwise keep Node's default of exiting, after killing children.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  terminateAllGroups();
  process.exit(exitCodeBySignal[signal] ?? 1);
}
