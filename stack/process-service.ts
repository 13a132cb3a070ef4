import type { ManagedProcess } from './managed-process';

/** A service run as one managed child process: whether it runs, its pid and its log, as every such handle reports them. */
export abstract class ProcessService {
  protected abstract readonly process: ManagedProcess;

  get running(): boolean {
    return this.process.running;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get logFile(): string {
    return this.process.spec.logFile;
  }
}
