import path from 'node:path';
import { ManagedProcess } from './managed-process';
import { repoRoot } from '../infra/paths';
import { readyLine } from './ready-line';
import type { ServiceHandle } from './service';
import { waitUntilHealthy } from './wait-until-healthy';
import { ProcessService } from './process-service';

export interface CodecServerProcessConfig {
  host: string;
  port: number;
  /** PAYLOAD_CODEC_KEYS: the same keys the stack's worker, client and CLI get through stack.env. */
  payloadCodecKeys: string;
  token: string;
  /** The Web UI's origin (the only page allowed to call it from a browser). */
  uiUrl: string;
  dataDir: string;
  log: (line: string) => void;
}

/** The Web UI's remote codec (`infra/codec-server-main.ts`) run through tsx as a child process. */
export class CodecServerProcess extends ProcessService implements ServiceHandle {
  readonly name = 'codec-server';
  /** `http://host:port`, without the token. */
  readonly url: string;
  /**
   * What the Web UI is configured with: the token as the first path segment, since the dev server's UI cannot
   * send an Authorization header (see infra/codec-server.ts).
   */
  readonly uiEndpoint: string;
  protected readonly process: ManagedProcess;
  private readonly log: (line: string) => void;

  constructor(config: CodecServerProcessConfig) {
    super();
    this.url = `http://${config.host}:${config.port}`;
    this.uiEndpoint = `${this.url}/${encodeURIComponent(config.token)}`;
    this.log = config.log;
    this.process = new ManagedProcess({
      service: 'codec-server',
      command: process.execPath,
      args: ['--import', 'tsx', 'infra/codec-server-main.ts'],
      cwd: repoRoot,
      env: { ...withoutCodecEnv(process.env), ...codecServerEnv(config) },
      logFile: path.join(config.dataDir, 'logs', 'codec-server.log'),
      stopTimeoutMs: 5_000,
    });
  }

  async start(): Promise<void> {
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.isHealthy(), timeoutMs: 60_000 });
    this.log(readyLine('codec', this.url, 'the Web UI decodes payloads through it'));
  }

  stop(options?: { force?: boolean }): Promise<void> {
    return this.process.stop(options);
  }

  isHealthy(): Promise<boolean> {
    return isCodecServerUp(this.url);
  }
}

/** Health = GET <url>/health answers 200 (no token needed, no payload involved). */
export async function isCodecServerUp(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The UI on the loopback address is opened as localhost just as often: both are its origin. */
function uiOrigins(uiUrl: string): string[] {
  const url = new URL(uiUrl);
  if (url.hostname !== '127.0.0.1') return [url.origin];
  return [url.origin, `${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`];
}

function codecServerEnv(config: CodecServerProcessConfig): Record<string, string> {
  return {
    CODEC_SERVER_HOST: config.host,
    CODEC_SERVER_PORT: String(config.port),
    CODEC_SERVER_TOKEN: config.token,
    CODEC_SERVER_CORS_ORIGINS: uiOrigins(config.uiUrl).join(','),
    PAYLOAD_CODEC_KEYS: config.payloadCodecKeys,
  };
}

/** A key file or codec settings of the developer's shell must not override (or conflict with) the stack's key. */
function withoutCodecEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('CODEC_SERVER_') && !key.startsWith('PAYLOAD_CODEC_')));
}
