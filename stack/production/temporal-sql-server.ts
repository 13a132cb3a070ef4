import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { stringify } from 'yaml';
import { ManagedProcess } from '../managed-process';
import { readyLine } from '../ready-line';
import { isTemporalReady, listCustomSearchAttributes } from '../temporal-health';
import { stackSearchAttributes } from '../temporal-server';
import { sleep, waitUntilHealthy } from '../wait-until-healthy';
import { POSTGRES_USER } from './postgres-cluster';
import { SQL_PLUGIN, temporalDatabases } from './temporal-schema';
import { ProcessService } from '../process-service';
import { temporalTlsConfig, type TemporalTlsFiles } from './temporal-tls';

/** The ports of one server process: the frontend (clients), its HTTP API, and each service's gRPC and membership port. */
export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export interface SqlTemporalServerConfig {
  serverPath: string;
  host: string;
  ports: TemporalServerPorts;
  namespace: string;
  postgres: { host: string; port: number; password: string };
  historyShards: number;
  dynamicConfigFile: string;
  /** mTLS on the frontend and between the services: clients must present a certificate the CA signed. */
  tls?: TemporalTlsFiles;
  /** Holds the generated config (`config/production.yaml`, with the database password: owner-only). */
  dir: string;
  logFile: string;
  log: (line: string) => void;
}

const namespaceRetention = '3 days';

/**
 * The Temporal server (all four services in one process) with SQL persistence and SQL visibility on the
 * topology's PostgreSQL. Restartable; start() resolves once the namespace exists, the search attributes are
 * registered and a visibility query on them answers.
 */
export class SqlTemporalServer extends ProcessService {
  readonly name = 'temporal';
  readonly address: string;
  protected readonly process: ManagedProcess;

  constructor(private readonly config: SqlTemporalServerConfig) {
    super();
    this.address = `${config.host}:${config.ports.frontend}`;
    this.process = new ManagedProcess({
      service: 'temporal-server',
      command: config.serverPath,
      args: ['--root', config.dir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
      // The server reads TEMPORAL_* as its own settings (root, config dir, environment): ours must not leak in.
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      logFile: config.logFile,
    });
  }

  /** The server's YAML as generated for this topology. */
  get configFile(): string {
    return path.join(this.config.dir, 'config', 'production.yaml');
  }

  async start(): Promise<void> {
    writeServerConfig(this.configFile, this.config);
    await this.process.start();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.frontendAnswers(), timeoutMs: 120_000 });
    await this.ensureNamespace();
    await waitUntilHealthy({ process: this.process, isHealthy: () => this.isHealthy(), timeoutMs: 120_000, intervalMs: 1_000 });
    this.config.log(readyLine('temporal', this.address, `SQL persistence and visibility, ${this.config.historyShards} history shards`));
  }

  stop(options?: { force?: boolean }): Promise<void> {
    return this.process.stop(options);
  }

  /** The namespace answers, every search attribute is registered, and visibility answers a query on them. */
  async isHealthy(): Promise<boolean> {
    try {
      const probe = {
        address: this.address,
        namespace: this.config.namespace,
        searchAttributes: stackSearchAttributes,
        ...this.tlsOption(),
      };
      return (await isTemporalReady(probe)) && (await this.visibilityAnswers());
    } catch {
      return false;
    }
  }

  private async frontendAnswers(): Promise<boolean> {
    return this.withConnection(async (connection) => {
      await connection.workflowService.getSystemInfo({});
      return true;
    });
  }

  /** Registers the namespace and the missing search attributes (both idempotent: a restart finds them there). */
  private async ensureNamespace(): Promise<void> {
    const { namespace } = this.config;
    await this.withConnection(async (connection) => {
      await retryWhileStarting(async () => {
        try {
          await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(namespaceRetention) });
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
        }
      });
      await retryWhileStarting(async () => {
        const registered = await listCustomSearchAttributes(connection, namespace);
        const missing = stackSearchAttributes.filter((name) => !registered.includes(name));
        if (missing.length === 0) return;
        const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
        });
      });
    });
  }

  /** A visibility query that names every search attribute: SQL visibility maps them per namespace, so this proves the mapping is live. */
  private visibilityAnswers(): Promise<boolean> {
    const query = stackSearchAttributes.map((name) => `${name} = 'readiness-probe'`).join(' AND ');
    return this.withConnection(async (connection) => {
      await connection.workflowService.listWorkflowExecutions({ namespace: this.config.namespace, query, pageSize: 1 });
      return true;
    });
  }

  private tlsOption() {
    return this.config.tls ? { tls: temporalTlsConfig(this.config.tls) } : {};
  }

  private async withConnection<T>(use: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: this.address, connectTimeout: '2s', ...this.tlsOption() });
    try {
      return await use(connection);
    } finally {
      await connection.close();
    }
  }
}

/** Right after start the namespace registry and membership may still be settling: a few retries, then the error. */
async function retryWhileStarting(action: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(1_000);
    }
  }
}

function isAlreadyExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 6; // gRPC ALREADY_EXISTS
}

function writeServerConfig(file: string, config: SqlTemporalServerConfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stringify(serverConfig(config)), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Temporal's development-postgres12.yaml, reduced to one host on loopback: no archival, no metrics or pprof listener. */
export function serverConfig(config: SqlTemporalServerConfig): Record<string, unknown> {
  const { host, ports, postgres } = config;
  const datastore = (database: string, maxConns: number) => ({
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName: database,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: POSTGRES_USER,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const [persistence, visibility] = temporalDatabases;
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: host, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: config.historyShards,
      datastores: { 'postgres-default': datastore(persistence.database, 20), 'postgres-visibility': datastore(visibility.database, 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: host }, ...(config.tls ? { tls: tlsConfig(config.tls) } : {}) },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `${host}:${ports.frontend}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: config.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * mTLS everywhere: the frontend and the internode services require a certificate the CA signed; the services
 * and the system worker present the server's (server and client authentication) and verify the host's name.
 */
function tlsConfig(files: TemporalTlsFiles): Record<string, unknown> {
  const server = { certFile: files.serverCert, keyFile: files.serverKey, requireClientAuth: true, clientCaFiles: [files.caCert] };
  const client = { serverName: files.serverName, rootCaFiles: [files.caCert] };
  return {
    internode: { server, client },
    frontend: { server, client },
    systemWorker: { certFile: files.serverCert, keyFile: files.serverKey, client },
  };
}
