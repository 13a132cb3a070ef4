import fs from 'node:fs';
import path from 'node:path';
import { ManagedProcess } from './managed-process';
import { pickFreePorts } from './ports';
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

/** The ports `weed mini` listens on besides S3's own: each component's HTTP and gRPC port. */
const internalPortFlags = [
  's3.port.grpc',
  'master.port',
  'master.port.grpc',
  'volume.port',
  'volume.port.grpc',
  'filer.port',
  'filer.port.grpc',
  'admin.port',
  'admin.port.grpc',
] as const;

export type SeaweedfsInternalPorts = Record<(typeof internalPortFlags)[number], number>;

/**
 * `weed mini` serving S3 only: master, volume server, filer and S3 gateway in one process (the admin server comes
 * along; its UI, WebDAV, the Iceberg and Lance endpoints and telemetry are off). The admin identity comes from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in its environment, as in docker-compose.yml; anonymous requests are
 * refused. Every other port is given, since their defaults would collide with a second stack on the machine.
 */
export function seaweedfsMiniArgs(options: {
  dir: string;
  bindHost: string;
  s3Port: number;
  bucket: string;
  ports?: SeaweedfsInternalPorts;
}) {
  const advertised = options.bindHost === '0.0.0.0' || options.bindHost === '::' ? '127.0.0.1' : options.bindHost;
  return [
    'mini',
    `-dir=${options.dir}`,
    `-ip=${advertised}`,
    `-ip.bind=${options.bindHost}`,
    `-s3.port=${options.s3Port}`,
    `-bucket=${options.bucket}`,
    '-webdav=false',
    '-admin.ui=false',
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    '-master.telemetry=false',
    // A volume server's grace before it stops serves a cluster's other readers; one process has none, and a stop
    // takes a second less (a chaos run restarts it).
    '-volume.preStopSeconds=0',
    ...Object.entries(options.ports ?? {}).map(([flag, port]) => `-${flag}=${port}`),
  ];
}

/** SeaweedFS with its data under `<dataDir>/seaweedfs`; the internal ports are picked afresh at every start. */
export class S3Server extends ProcessService implements ServiceHandle {
  readonly name = 's3';
  readonly endpoint: string;
  protected process: ManagedProcess;
  private internalPorts: SeaweedfsInternalPorts | undefined;

  constructor(private readonly config: S3ServerConfig) {
    super();
    this.endpoint = `http://${config.host}:${config.port}`;
    this.process = this.processWith(undefined);
  }

  get connection(): S3Connection {
    const { accessKeyId, secretAccessKey } = this.config;
    return { endpoint: this.endpoint, region: s3Region, accessKeyId, secretAccessKey };
  }

  async start(): Promise<void> {
    if (!this.process.running) {
      fs.mkdirSync(this.seaweedfsDir, { recursive: true });
      const picked = await pickFreePorts(this.config.host, internalPortFlags.length);
      this.internalPorts = Object.fromEntries(internalPortFlags.map((flag, index) => [flag, picked[index]!])) as SeaweedfsInternalPorts;
      this.process = this.processWith(this.internalPorts);
    }
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.isHealthy(), timeoutMs: 60_000 });
    const client = createS3Client(this.connection);
    try {
      await ensurePrivateBucket(client, this.config.bucket);
    } finally {
      client.destroy();
    }
    this.config.log(readyLine('s3', this.endpoint, `bucket ${this.config.bucket} (SeaweedFS)`));
  }

  async stop(options?: { force?: boolean }): Promise<void> {
    await this.process.stop(options);
    this.removeLocalSockets();
  }

  async isHealthy(): Promise<boolean> {
    return isS3Live(this.endpoint);
  }

  private get seaweedfsDir(): string {
    return path.join(this.config.dataDir, 'seaweedfs');
  }

  private processWith(ports: SeaweedfsInternalPorts | undefined): ManagedProcess {
    const dir = this.seaweedfsDir;
    return new ManagedProcess({
      service: 's3',
      command: this.config.serverPath,
      args: seaweedfsMiniArgs({
        dir,
        bindHost: this.config.host,
        s3Port: this.config.port,
        bucket: this.config.bucket,
        ...(ports ? { ports } : {}),
      }),
      // Only what it needs: an S3_BUCKET or S3_TABLE_BUCKET of the caller's would create buckets of its own.
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: this.config.accessKeyId,
        AWS_SECRET_ACCESS_KEY: this.config.secretAccessKey,
      },
      // It reads filer.toml and friends from the working directory: its own, never the caller's.
      cwd: dir,
      logFile: path.join(this.config.dataDir, 'logs', 's3.log'),
    });
  }

  /** Its components also talk over Unix sockets named after their gRPC ports in /tmp, left behind by a kill. */
  private removeLocalSockets(): void {
    if (!this.internalPorts) return;
    const grpc = {
      s3: 's3.port.grpc',
      master: 'master.port.grpc',
      volume: 'volume.port.grpc',
      filer: 'filer.port.grpc',
      admin: 'admin.port.grpc',
    } as const;
    for (const [kind, flag] of Object.entries(grpc))
      fs.rmSync(`/tmp/seaweedfs-${kind}-grpc-${this.internalPorts[flag]}.sock`, { force: true });
    fs.rmSync(`/tmp/seaweedfs-s3-${this.config.port}.sock`, { force: true });
    fs.rmSync(`/tmp/seaweedfs-filer-${this.internalPorts['filer.port']}.sock`, { force: true });
  }
}

/** The S3 gateway's unauthenticated liveness endpoint. */
export async function isS3Live(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
