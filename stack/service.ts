export type ServiceName = 'temporal' | 's3' | 'simulator' | 'codec-server';

/** One embedded service: restartable, so chaos tests can take it down and bring it back. */
export interface ServiceHandle {
  readonly name: ServiceName;
  /** True while its process runs (false for an external endpoint). */
  readonly running: boolean;
  readonly logFile: string | undefined;
  /** Starts the process and resolves after its health check passes. */
  start(): Promise<void>;
  /** SIGTERM (or SIGKILL with `force`, like a crash) and wait for exit. */
  stop(options?: { force?: boolean }): Promise<void>;
  /** One health probe; false (never throws) when the service does not answer. */
  isHealthy(): Promise<boolean>;
}
