import path from 'node:path';
import { ManagedProcess } from './managed-process';
import { readyLine } from './ready-line';
import { createS3Client } from '../infra/s3';
import { ensurePrivateBucket, type S3Connection } from './s3-bucket';
import type { ServiceHandle } from './service';
import { waitUntilHealthy } from './wait-until-healthy';
import { ProcessService } from './process-service';

export const s3Region = 'us-east-1';

export interface S3ServerConfig {
  serverPath: string;
  host: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
  log: (line: string) => void;
}

/** MinIO with its objects under `<dataDir>/s3`; the web console is off. */
export class S3Server extends ProcessService implements ServiceHandle {
  readonly name = 's3';
  readonly endpoint: string;
  protected readonly process: ManagedProcess;

  constructor(private readonly config: S3ServerConfig) {
    super();
    this.endpoint = `http://${config.host}:${config.port}`;
    this.process = new ManagedProcess({
      service: 's3',
      command: config.serverPath,
      args: ['server', path.join(config.dataDir, 's3'), '--address', `${config.host}:${config.port}`, '--quiet'],
      env: {
        ...process.env,
        MINIO_ROOT_USER: config.accessKeyId,
        MINIO_ROOT_PASSWORD: config.secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
      },
      logFile: path.join(config.dataDir, 'logs', 's3.log'),
    });
  }

  get connection(): S3Connection {
    const { accessKeyId, secretAccessKey } = this.config;
    return { endpoint: this.endpoint, region: s3Region, accessKeyId, secretAccessKey };
  }

  async start(): Promise<void> {
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.isHealthy(), timeoutMs: 60_000 });
    const client = createS3Client(this.connection);
    try {
      await ensurePrivateBucket(client, this.config.bucket);
    } finally {
      client.destroy();
    }
    this.config.log(readyLine('s3', this.endpoint, `bucket ${this.config.bucket}`));
  }

  stop(options?: { force?: boolean }): Promise<void> {
    return this.process.stop(options);
  }

  async isHealthy(): Promise<boolean> {
    return isS3Live(this.endpoint);
  }
}

/** MinIO's unauthenticated liveness endpoint. */
export async function isS3Live(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
