import type { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { RunwayTemporal } from '../../client';
import type { CampaignResult } from '../../schemas';
import { productDataConverter } from '../../infra/data-converter';
import { codecKeysFromEnv } from '../../infra/payload-codec';
import { createS3Client } from '../../infra/s3';
import { assertPlanIsMeaningful, campaignFile, planVariants, simulatorFaults, type PlannedVariant } from './plan';
import type { SimulatorSnapshot } from '../../simulator/state';
import { SimulatorAdmin } from '../../simulator/admin-client';
import { accountCampaign } from './accounting';
import type { ChaosOptions } from './options';
import type { ChaosEvent, ChaosReport } from './report';
import { startChaosTarget, type ChaosService, type ChaosTarget } from './targets';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The chaos campaign end to end: its own stack (the dev stack, or the production topology with its worker
 * replicas), real worker processes, faults at the simulator, two SIGKILLs, a Temporal restart (and on the
 * production topology a PostgreSQL crash) and an S3 outage while the campaign runs; then the accounting.
 */
export async function runChaosScenario(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const startedAt = new Date();
  const variants = planVariants(options.variants);
  await assertPlanIsMeaningful(variants);

  const stackStarted = Date.now();
  const target = await startChaosTarget(
    options,
    {
      timeScale: options.timeScale,
      seed: options.seed,
      concurrency: options.cap,
      config: {
        pendingSeconds: 6,
        generationSeconds: { kind: 'uniform', ...options.generationSeconds },
        // Stuck means stuck: Runway's own queue timeout never rescues a task, only our DELETE does.
        queueFailAfterSeconds: null,
        urlTtlSeconds: options.urlTtlSeconds,
        faults: simulatorFaults(variants),
      },
    },
    log,
  );
  const stackStartSec = (Date.now() - stackStarted) / 1000;
  const run = new ChaosRun(target, options, variants, log);
  try {
    return await run.execute(startedAt, stackStartSec);
  } finally {
    await run.cleanup();
    await target.stop();
  }
}

class ChaosRun {
  readonly taskQueue: string;
  readonly campaignId: string;
  private readonly admin: SimulatorAdmin;
  private readonly events: ChaosEvent[] = [];
  private campaignStartedAt = 0;
  private done = false;
  private api: RunwayTemporal | undefined;
  private s3: S3Client | undefined;

  constructor(
    private readonly target: ChaosTarget,
    private readonly options: ChaosOptions,
    private readonly variants: PlannedVariant[],
    private readonly log: (line: string) => void,
  ) {
    this.taskQueue = `chaos-${options.label}`;
    this.campaignId = `chaos-${options.label}-${options.variants}`;
    this.admin = new SimulatorAdmin(target.simulatorAdminUrl, { timeoutMs: 10_000 });
  }

  async execute(startedAt: Date, stackStartSec: number): Promise<ChaosReport> {
    const totalStarted = Date.now() - stackStartSec * 1000;
    this.target.workers.onUnexpectedExit((description, replaced) => this.onWorkerExit(description, replaced));
    await this.target.workers.start();
    const connection = await Connection.connect({ address: this.target.env.TEMPORAL_ADDRESS });
    const s3 = createS3Client(this.target.s3Connection);
    this.s3 = s3;
    // The production replicas encrypt payloads with the stack's key (the dev stack's chaos worker is given none).
    const dataConverter = this.target.topology === 'production' ? productDataConverter(codecKeysFromEnv(this.target.env)) : undefined;
    this.api = new RunwayTemporal({
      client: new Client({ connection, namespace: this.target.env.TEMPORAL_NAMESPACE, ...(dataConverter ? { dataConverter } : {}) }),
      s3,
      taskQueue: this.taskQueue,
      bucket: this.target.env.S3_BUCKET,
      prefix: '',
    });
    const { options } = this;
    const campaign = campaignFile(this.campaignId, this.variants, {
      pollInterval: options.pollIntervalMs,
      pollJitter: 0.25,
      maxPendingWait: options.maxPendingWaitMs,
      maxRunningWait: options.maxRunningWaitMs,
      maxSubmissions: 3,
    });
    this.campaignStartedAt = Date.now();
    await this.api.campaigns.start(campaign);
    this.log(
      `chaos: campaign ${this.campaignId} started on the ${this.target.description}: ${this.variants.length} variants, cap ${options.cap}, task queue ${this.taskQueue}`,
    );
    const chaos = this.driveChaos().catch((error: unknown) => {
      this.log(`chaos: the chaos driver failed: ${String(error)}`);
      throw error;
    });
    let result: CampaignResult;
    try {
      result = await this.waitForCampaign();
    } finally {
      this.done = true;
    }
    const wallTimeSec = (Date.now() - this.campaignStartedAt) / 1000;
    await chaos;
    this.log(`chaos: campaign finished in ${wallTimeSec.toFixed(1)} s: ${result.archived} archived, ${result.failed} failed`);
    await this.target.workers.stop();
    const stats = await this.admin.stats();
    const report = await accountCampaign(
      {
        options,
        topology: this.target.topology,
        topologyDescription: this.target.description,
        variants: this.variants,
        campaignId: this.campaignId,
        dataDir: this.target.dataDir,
        logsDir: this.target.logsDir,
        events: this.events,
        workerProcesses: this.target.workers.processes,
        workerLogs: this.target.workers.logs(),
        s3,
        bucket: this.target.env.S3_BUCKET,
      },
      result,
      stats,
      { startedAt, wallTimeSec, stackStartSec, totalSec: (Date.now() - totalStarted) / 1000 },
    );
    return report;
  }

  async cleanup(): Promise<void> {
    this.done = true;
    await this.target.workers.cleanup();
    await this.api?.client.connection.close().catch(() => undefined);
    this.s3?.destroy();
  }

  private since(): number {
    return Math.round((Date.now() - this.campaignStartedAt) / 100) / 10;
  }

  // ---------------------------------------------------------------- worker processes

  /** A worker that dies without being killed is a finding; it is replaced so the run can end. */
  private onWorkerExit(description: string, replaced: Promise<void>): void {
    if (this.done) return;
    this.log(`chaos: ${description}`);
    const at = Date.now();
    const event: ChaosEvent = { kind: 'worker_unexpected_exit', atSec: this.since(), downSec: 0, inFlight: 0, succeededSoFar: 0 };
    this.events.push(event);
    void replaced.then(() => (event.downSec = (Date.now() - at) / 1000));
  }

  private async killWorker(): Promise<void> {
    await this.noCreateInFlight();
    const snapshot = await this.snapshot();
    const atSec = this.since();
    const at = Date.now();
    const killed = await this.target.workers.kill();
    const replacement = await killed.restart();
    const event: ChaosEvent = { kind: 'worker_sigkill', atSec, downSec: (Date.now() - at) / 1000, ...snapshot };
    this.events.push(event);
    this.log(
      `chaos: SIGKILLed ${killed.name} with ${snapshot.inFlight} Runway tasks in flight; ${replacement} ready after ${event.downSec.toFixed(1)} s`,
    );
  }

  /**
   * Waits (up to 6 s, then kills anyway and the report shows what happened) for a moment no create can be on
   * the wire: the newest task 300 ms old (answered, journalled, heartbeated), none ending within 300 ms, and
   * either every lease taken or nothing ended for a second (no grant about to become a POST).
   * A SIGKILL mid-POST leaves a task Runway created that nobody recorded: with no idempotency key and no task
   * listing no client can recover it (docs/reliability.md names that window), and it is not what this scenario probes.
   */
  private async noCreateInFlight(): Promise<void> {
    const deadline = Date.now() + 6_000;
    const scale = this.options.timeScale;
    while (Date.now() < deadline) {
      const stats = await this.admin.stats();
      const now = Date.now();
      const live = stats.tasks.filter((task) => task.status === 'PENDING' || task.status === 'THROTTLED' || task.status === 'RUNNING');
      const newestCreateAgo = Math.min(...stats.tasks.map((task) => now - Date.parse(task.createdAt)));
      const soonestEnd = Math.min(
        ...live.map((task) => {
          const running = task.history.find((step) => step.status === 'RUNNING');
          return running && task.generationSeconds !== null
            ? Date.parse(running.at) + (task.generationSeconds * 1000) / scale - now
            : Infinity;
        }),
      );
      const lastEndAgo = Math.min(
        ...stats.tasks.flatMap((task) =>
          task.history
            .filter((step) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(step.status))
            .map((step) => now - Date.parse(step.at)),
        ),
      );
      if (newestCreateAgo >= 300 && soonestEnd >= 300 && (live.length >= this.options.cap || lastEndAgo >= 1_000)) return;
      await sleep(50);
    }
  }

  // ---------------------------------------------------------------- the chaos

  private async snapshot(): Promise<{ inFlight: number; succeededSoFar: number }> {
    const stats = await this.admin.stats();
    return {
      inFlight: stats.tasks.filter((task) => task.status === 'RUNNING' || task.status === 'PENDING').length,
      succeededSoFar: stats.tasks.filter((task) => task.status === 'SUCCEEDED').length,
    };
  }

  /**
   * Whether a clip Runway finished is not yet archived as far as the campaign knows: its archive (or the end
   * report after it) is in flight. Read from both sides rather than from the campaign's 'archiving' count,
   * which shows only archives that last. False while Temporal is unreachable.
   */
  private async archivesInFlight(): Promise<boolean> {
    try {
      const [progress, stats] = await Promise.all([this.api!.campaigns.progress(this.campaignId), this.admin.stats()]);
      return stats.tasks.filter((task) => task.status === 'SUCCEEDED').length > progress.counts.archived;
    } catch {
      return false;
    }
  }

  /** Waits until the simulator shows this much progress; false when the campaign ended first. */
  private async progressReaches(predicate: (stats: SimulatorSnapshot) => boolean): Promise<boolean> {
    while (!this.done) {
      if (predicate(await this.admin.stats())) return true;
      await sleep(200);
    }
    return false;
  }

  /**
   * The disruptions, one after the other, each triggered by the campaign's progress as Runway (the
   * simulator) sees it, so they land mid-run whatever the machine's speed.
   */
  private async driveChaos(): Promise<void> {
    const total = this.variants.length;
    const succeeded = (stats: SimulatorSnapshot) => stats.tasks.filter((task) => task.status === 'SUCCEEDED').length;
    const running = (stats: SimulatorSnapshot) => stats.tasks.filter((task) => task.status === 'RUNNING').length;

    // 1. SIGKILL while the first wave generates.
    if (!(await this.progressReaches((stats) => stats.submissions.total >= Math.max(2, Math.ceil(total * 0.15)) && running(stats) >= 2)))
      return;
    await this.killWorker();

    // 2. Temporal down and back (dev: the dev server and its SQLite; production: the server on PostgreSQL).
    if (!(await this.progressReaches((stats) => succeeded(stats) >= Math.ceil(total * 0.25) && running(stats) >= 1))) return;
    await this.outage('temporal_restart', this.target.temporal, this.options.temporalDownMs);

    // 2b. Production: PostgreSQL crashes (SIGKILL, recovery from its WAL on start) under a live Temporal server.
    const postgres = this.target.postgres;
    if (postgres) {
      if (!(await this.progressReaches((stats) => succeeded(stats) >= Math.ceil(total * 0.3) && running(stats) >= 1))) return;
      await this.outage('postgres_restart', postgres, this.options.postgresDownMs ?? 2_000, { force: true });
    }

    // 3. S3 down a while: archives fail and retry.
    if (!(await this.progressReaches((stats) => succeeded(stats) >= Math.ceil(total * 0.4) && running(stats) >= 1))) return;
    await this.outage('s3_outage', this.target.s3, this.options.s3DownMs);

    // 4. SIGKILL again, with generations or archives in flight (a short campaign may have generated
    // everything during the S3 outage: then the archives still retrying are what the kill hits).
    if (!(await this.progressReaches((stats) => succeeded(stats) >= Math.ceil(total * 0.6)))) return;
    while (!this.done && !(running(await this.admin.stats()) >= 1 || (await this.archivesInFlight()))) await sleep(200);
    if (this.done) return;
    await this.killWorker();
  }

  private async outage(
    kind: 'temporal_restart' | 'postgres_restart' | 's3_outage',
    service: ChaosService,
    downMs: number,
    stop: { force?: boolean } = {},
  ): Promise<void> {
    const name = { temporal_restart: 'Temporal server', postgres_restart: 'PostgreSQL', s3_outage: 'S3 server' }[kind];
    const snapshot = await this.snapshot();
    const atSec = this.since();
    const at = Date.now();
    await service.stop(stop);
    this.log(
      `chaos: ${name} ${stop.force ? 'crashed (SIGKILL)' : 'stopped'} at ${atSec} s with ${snapshot.inFlight} Runway tasks in flight`,
    );
    await sleep(downMs);
    await service.start();
    const event: ChaosEvent = { kind, atSec, downSec: (Date.now() - at) / 1000, ...snapshot };
    this.events.push(event);
    this.log(`chaos: ${name} back after ${event.downSec.toFixed(1)} s`);
  }

  /** The campaign's result; the client's calls fail while Temporal is down, so they are retried. */
  private async waitForCampaign(): Promise<CampaignResult> {
    const deadline = this.campaignStartedAt + this.options.timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        return await withTimeout(this.api!.campaigns.waitForResult(this.campaignId), deadline - Date.now());
      } catch (error) {
        lastError = error;
        await sleep(1_000);
      }
    }
    throw new Error(
      `the chaos campaign did not finish within ${this.options.timeoutMs / 1000} s (last error: ${String(lastError)}); logs in ${this.target.logsDir}`,
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), Math.max(1, ms));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
