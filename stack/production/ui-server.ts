import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { ManagedProcess } from '../managed-process';
import { readyLine } from '../ready-line';
import { waitUntilHealthy } from '../wait-until-healthy';
import { ProcessService } from '../process-service';
import type { TemporalTlsFiles } from './temporal-tls';

export interface UiServerConfig {
  uiServerPath: string;
  host: string;
  port: number;
  /** The Temporal frontend (gRPC) it talks to. */
  temporalAddress: string;
  /** The frontend's mTLS: the UI server verifies it and presents the clients' certificate. */
  tls?: TemporalTlsFiles;
  namespace: string;
  /** The codec server's endpoint (with its token), called by the browser to show encrypted payloads decoded. */
  codecEndpoint: string;
  /** Holds the generated `config/production.yaml`. */
  dir: string;
  logFile: string;
  log: (line: string) => void;
}

/** Temporal's UI server (the Web UI's pages are embedded in the binary) on its own port, pointed at the frontend. */
export class UiServer extends ProcessService {
  readonly name = 'temporal-ui';
  readonly url: string;
  protected readonly process: ManagedProcess;

  constructor(private readonly config: UiServerConfig) {
    super();
    this.url = `http://${config.host}:${config.port}`;
    this.process = new ManagedProcess({
      service: 'temporal-ui',
      command: config.uiServerPath,
      args: ['--root', config.dir, '--config', 'config', '--env', 'production', 'start'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      logFile: config.logFile,
      stopTimeoutMs: 5_000,
    });
  }

  async start(): Promise<void> {
    const file = path.join(this.config.dir, 'config', 'production.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stringify(uiServerConfig(this.config, this.url)));
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.isHealthy(), timeoutMs: 60_000 });
    this.config.log(
      readyLine('ui', this.url, `Web UI of ${this.config.temporalAddress}, codec ${new URL(this.config.codecEndpoint).origin}`),
    );
  }

  stop(options?: { force?: boolean }): Promise<void> {
    return this.process.stop(options);
  }

  /** Serves the Web UI's page (not only its API) and the API reaches the frontend. */
  async isHealthy(): Promise<boolean> {
    try {
      const page = await fetch(`${this.url}/`, { signal: AbortSignal.timeout(2_000) });
      const html = await page.text();
      if (!page.ok || !/<html/i.test(html)) return false;
      const api = await fetch(`${this.url}/api/v1/namespaces/${encodeURIComponent(this.config.namespace)}`, {
        signal: AbortSignal.timeout(2_000),
      });
      await api.body?.cancel();
      return api.ok;
    } catch {
      return false;
    }
  }
}

/** The UI server's docker.yaml settings that matter here; the rest keep its defaults. */
function uiServerConfig(config: UiServerConfig, url: string): Record<string, unknown> {
  const origin = new URL(url);
  const origins = [origin.origin, ...(origin.hostname === '127.0.0.1' ? [`http://localhost:${origin.port}`] : [])];
  return {
    temporalGrpcAddress: config.temporalAddress,
    host: config.host,
    port: config.port,
    enableUi: true,
    defaultNamespace: config.namespace,
    // Nothing leaves the machine: no news feed, no version check.
    disableNewsFetch: true,
    notifyOnNewVersion: false,
    cors: { cookieInsecure: true, unsafeAllowAllOrigins: false, allowOrigins: origins },
    codec: { endpoint: config.codecEndpoint, passAccessToken: false, includeCredentials: false },
    auth: { enabled: false },
    ...(config.tls
      ? {
          tls: {
            caFile: config.tls.caCert,
            certFile: config.tls.clientCert,
            keyFile: config.tls.clientKey,
            serverName: config.tls.serverName,
            enableHostVerification: true,
          },
        }
      : {}),
  };
}
