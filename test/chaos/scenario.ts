import { createHash } from 'node:crypto';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { RunwayTemporal } from '../../client';
import type { CampaignResult } from '../../schemas';
import { defaultDataDir } from '../../stack/paths';
import { createS3Client } from '../../stack/s3-bucket';
import { startStack, type Stack } from '../../stack/start-stack';
import { assertPlanIsMeaningful, campaignFile, CHAOS_MODEL, planVariants, simulatorFaults, type PlannedVariant } from './plan';
import { simStats, type SimStats, type SimTask } from './sim-admin';
import { spawnChaosWorker, type ChaosWorker } from './worker';
import { envWithoutStackOverrides } from '../../stack/stack-env';
import { withoutLog, type ChaosOptions } from './options';
import type { ChaosCheck, ChaosEvent, ChaosReport, VariantAccount } from './report';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The chaos campaign end to end: its own stack, a real worker process, faults at the simulator, two
 * SIGKILLs, a Temporal restart and an S3 outage while the campaign runs; then the accounting.
 */
export async function runChaosScenario(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const startedAt = new Date();
  const dataDir = options.dataDir ?? path.join(defaultDataDir, `chaos-${options.label}-${startedAt.getTime()}`);
  const variants = planVariants(options.variants);
  await assertPlanIsMeaningful(variants);

  log(`chaos: starting a dedicated stack in ${dataDir}`);
  const stackStarted = Date.now();
  const stack = await startStack({
    ports: 'auto',
    dataDir,
    runwayBaseUrl: null,
    env: envWithoutStackOverrides(process.env),
    log: (line) => log(`  ${line}`),
    simulator: {
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
  });
  const stackStartSec = (Date.now() - stackStarted) / 1000;
  const run = new ChaosRun(stack, options, variants, log);
  try {
    return await run.execute(startedAt, stackStartSec);
  } finally {
    await run.cleanup();
    await stack.stop();
  }
}

class ChaosRun {
  readonly taskQueue: string;
  readonly campaignId: string;
  private readonly adminUrl: string;
  private worker: ChaosWorker | undefined;
  private workerCount = 0;
  private readonly expectedExits = new Set<ChaosWorker>();
  private readonly events: ChaosEvent[] = [];
  private readonly workers: ChaosWorker[] = [];
  private campaignStartedAt = 0;
  private done = false;
  private api: RunwayTemporal | undefined;
  private s3: S3Client | undefined;

  constructor(
    private readonly stack: Stack,
    private readonly options: ChaosOptions,
    private readonly variants: PlannedVariant[],
    private readonly log: (line: string) => void,
  ) {
    this.taskQueue = `chaos-${options.label}`;
    this.campaignId = `chaos-${options.label}-${options.variants}`;
    if (!stack.simulator) throw new Error('the chaos scenario needs the simulator');
    this.adminUrl = stack.simulator.adminUrl;
  }

  async execute(startedAt: Date, stackStartSec: number): Promise<ChaosReport> {
    const totalStarted = Date.now() - stackStartSec * 1000;
    await this.startWorker();
    const connection = await Connection.connect({ address: this.stack.env.TEMPORAL_ADDRESS });
    this.s3 = createS3Client(this.stack.s3.connection);
    this.api = new RunwayTemporal({
      client: new Client({ connection, namespace: this.stack.env.TEMPORAL_NAMESPACE }),
      s3: this.s3,
      taskQueue: this.taskQueue,
      bucket: this.stack.env.S3_BUCKET,
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
    await this.api.startCampaign(campaign);
    this.log(`chaos: campaign ${this.campaignId} started: ${this.variants.length} variants, cap ${options.cap}, task queue ${this.taskQueue}`);
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
    await this.stopWorker();
    const stats = await simStats(this.adminUrl);
    const report = await this.account(result, stats, {
      startedAt,
      wallTimeSec,
      stackStartSec,
      totalSec: (Date.now() - totalStarted) / 1000,
    });
    return report;
  }

  async cleanup(): Promise<void> {
    this.done = true;
    for (const worker of this.workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        this.expectedExits.add(worker);
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
    }
    await this.api?.client.connection.close().catch(() => undefined);
    this.s3?.destroy();
  }

  private since(): number {
    return Math.round((Date.now() - this.campaignStartedAt) / 100) / 10;
  }

  // ---------------------------------------------------------------- worker processes

  private async startWorker(): Promise<void> {
    this.workerCount += 1;
    const worker = spawnChaosWorker(this.stack, this.taskQueue, this.workerCount, {
      RUNWAY_MAX_CONCURRENCY: String(this.options.cap),
      WORKER_SHUTDOWN_GRACE_MS: '5000',
    });
    this.worker = worker;
    this.workers.push(worker);
    void worker.exited.then(({ code, signal }) => this.onWorkerExit(worker, code, signal));
    await worker.ready;
  }

  /** A worker that dies without being killed is a finding; it is replaced so the run can end. */
  private onWorkerExit(worker: ChaosWorker, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.expectedExits.has(worker) || this.done) return;
    this.log(`chaos: worker ${worker.generation} exited on its own (code ${code}, signal ${signal}); see ${worker.logFile}`);
    const at = Date.now();
    this.events.push({ kind: 'worker_unexpected_exit', atSec: this.since(), downSec: 0, inFlight: 0, succeededSoFar: 0 });
    const event = this.events[this.events.length - 1]!;
    void this.startWorker().then(() => (event.downSec = (Date.now() - at) / 1000));
  }

  private async killWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.expectedExits.add(worker);
    const snapshot = await this.snapshot();
    const atSec = this.since();
    const at = Date.now();
    worker.child.kill('SIGKILL');
    const exit = await worker.exited;
    if (exit.signal !== 'SIGKILL') throw new Error(`worker ${worker.generation} ended with ${exit.signal ?? exit.code}, not SIGKILL`);
    await this.startWorker();
    const event: ChaosEvent = { kind: 'worker_sigkill', atSec, downSec: (Date.now() - at) / 1000, ...snapshot };
    this.events.push(event);
    this.log(`chaos: SIGKILLed worker ${worker.generation} with ${snapshot.inFlight} Runway tasks in flight; worker ${this.workerCount} ready after ${event.downSec.toFixed(1)} s`);
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.expectedExits.add(worker);
    worker.child.kill('SIGTERM');
    await worker.exited;
  }

  // ---------------------------------------------------------------- the chaos

  private async snapshot(): Promise<{ inFlight: number; succeededSoFar: number }> {
    const stats = await simStats(this.adminUrl);
    return {
      inFlight: stats.tasks.filter((task) => task.status === 'RUNNING' || task.status === 'PENDING').length,
      succeededSoFar: stats.tasks.filter((task) => task.status === 'SUCCEEDED').length,
    };
  }

  /** Whether the campaign shows a variant archiving (its progress query; false while Temporal is unreachable). */
  private async archivesInFlight(): Promise<boolean> {
    try {
      return (await this.api!.getProgress(this.campaignId)).counts.archiving > 0;
    } catch {
      return false;
    }
  }

  /** Waits until the simulator shows this much progress; false when the campaign ended first. */
  private async progressReaches(predicate: (stats: SimStats) => boolean): Promise<boolean> {
    while (!this.done) {
      if (predicate(await simStats(this.adminUrl))) return true;
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
    const succeeded = (stats: SimStats) => stats.tasks.filter((task) => task.status === 'SUCCEEDED').length;
    const running = (stats: SimStats) => stats.tasks.filter((task) => task.status === 'RUNNING').length;

    // 1. SIGKILL while the first wave generates.
    if (!(await this.progressReaches((stats) => stats.submissions.total >= Math.max(2, Math.ceil(total * 0.15)) && running(stats) >= 2))) return;
    await this.killWorker();

    // 2. Temporal down and back (SQLite persistence).
    if (!(await this.progressReaches((stats) => succeeded(stats) >= Math.ceil(total * 0.25) && running(stats) >= 1))) return;
    await this.outage('temporal_restart', this.stack.temporal, this.options.temporalDownMs);

    // 3. S3 down a while: archives fail and retry.
    if (!(await this.progressReaches((stats) => succeeded(stats) >= Math.ceil(total * 0.4) && running(stats) >= 1))) return;
    await this.outage('s3_outage', this.stack.s3, this.options.s3DownMs);

    // 4. SIGKILL again, with generations or archives in flight (a short campaign may have generated
    // everything during the S3 outage: then the archives still retrying are what the kill hits).
    if (!(await this.progressReaches((stats) => succeeded(stats) >= Math.ceil(total * 0.6)))) return;
    while (!this.done && !(running(await simStats(this.adminUrl)) >= 1 || (await this.archivesInFlight()))) await sleep(200);
    if (this.done) return;
    await this.killWorker();
  }

  private async outage(kind: 'temporal_restart' | 's3_outage', service: { stop(): Promise<void>; start(): Promise<void> }, downMs: number): Promise<void> {
    const snapshot = await this.snapshot();
    const atSec = this.since();
    const at = Date.now();
    await service.stop();
    this.log(`chaos: ${kind === 'temporal_restart' ? 'Temporal server stopped' : 'S3 server stopped'} at ${atSec} s with ${snapshot.inFlight} Runway tasks in flight`);
    await sleep(downMs);
    await service.start();
    const event: ChaosEvent = { kind, atSec, downSec: (Date.now() - at) / 1000, ...snapshot };
    this.events.push(event);
    this.log(`chaos: ${kind === 'temporal_restart' ? 'Temporal server' : 'S3 server'} back after ${event.downSec.toFixed(1)} s`);
  }

  /** The campaign's result; the client's calls fail while Temporal is down, so they are retried. */
  private async waitForCampaign(): Promise<CampaignResult> {
    const deadline = this.campaignStartedAt + this.options.timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        return await withTimeout(this.api!.waitForResult(this.campaignId), deadline - Date.now());
      } catch (error) {
        lastError = error;
        await sleep(1_000);
      }
    }
    throw new Error(`the chaos campaign did not finish within ${this.options.timeoutMs / 1000} s (last error: ${String(lastError)}); logs in ${this.stack.dataDir}/logs`);
  }

  // ---------------------------------------------------------------- the accounting

  private async account(result: CampaignResult, stats: SimStats, timing: { startedAt: Date; wallTimeSec: number; stackStartSec: number; totalSec: number }): Promise<ChaosReport> {
    const checks: ChaosCheck[] = [];
    const check = (name: string, ok: boolean, expected: string, actual: string) => checks.push({ name, ok, expected, actual });
    const total = this.variants.length;
    const moderatedVariants = this.variants.filter((variant) => variant.role === 'moderated');
    const stuckVariants = this.variants.filter((variant) => variant.role === 'stuck');
    const tasksByPrompt = groupTasks(stats.tasks);
    const outcomes = new Map(result.variants.map((outcome) => [outcome.variantId, outcome]));
    const objects = await this.listObjects();

    // Archived, failed, and the failure being the moderated prompt and nothing else.
    check('archived', result.archived === total - moderatedVariants.length, String(total - moderatedVariants.length), String(result.archived));
    const failures = result.variants.filter((outcome) => outcome.state !== 'archived');
    const failureText = failures.map((outcome) => `${outcome.variantId} ${outcome.error?.type ?? outcome.state}${outcome.error?.failureCode ? ` ${outcome.error.failureCode}` : ''}`).join(', ') || 'none';
    const onlyModeratedFailed =
      failures.length === moderatedVariants.length &&
      failures.every((outcome) => moderatedVariants.some((variant) => variant.id === outcome.variantId) && outcome.error?.type === 'ContentModeration' && (outcome.error.failureCode ?? '').startsWith('SAFETY'));
    check('failed = the Runway-moderated prompt only', onlyModeratedFailed, moderatedVariants.map((variant) => `${variant.id} ContentModeration SAFETY.*`).join(', '), failureText);

    // Lost and stray objects, and every object's bytes against the simulator's record.
    let lost = 0;
    let strays = 0;
    let shaChecked = 0;
    const shaMismatches: string[] = [];
    for (const variant of this.variants) {
      const keys = objects.filter((key) => key.startsWith(`${this.campaignId}/${variant.id}/`) && key.endsWith('.mp4'));
      const shouldHave = variant.role === 'moderated' ? 0 : 1;
      if (keys.length < shouldHave) lost += shouldHave - keys.length;
      if (keys.length > shouldHave) strays += keys.length - shouldHave;
      for (const key of keys) {
        const taskId = path.basename(key, '.mp4');
        const task = stats.tasks.find((candidate) => candidate.id === taskId);
        const bytes = await this.objectBytes(key);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const reported = outcomes.get(variant.id)?.result?.s3.sha256;
        shaChecked += 1;
        if (!task?.outputSha256 || sha256 !== task.outputSha256 || sha256 !== reported || task.promptText !== variant.promptText) {
          shaMismatches.push(`${key}: object ${sha256.slice(0, 12)}, Runway ${task?.outputSha256?.slice(0, 12) ?? 'no task'}, workflow ${reported?.slice(0, 12) ?? 'none'}`);
        }
      }
    }
    check('lost (a variant without its S3 object)', lost === 0, '0', String(lost));
    check('stray objects (more than one video per variant)', strays === 0, '0', String(strays));
    check('sha256 of every S3 object = Runway record = workflow result', shaMismatches.length === 0 && shaChecked === total - moderatedVariants.length, `${total - moderatedVariants.length} equal`, shaMismatches.length === 0 ? `${shaChecked} equal` : shaMismatches.join('; '));

    // Every Runway task explained by the workflow's own submission history and an injected fault.
    const accounts = this.variants.map((variant) => explainVariant(variant, tasksByPrompt.get(variant.promptText) ?? [], outcomes.get(variant.id)));
    const allTasks = accounts.flatMap((account) => account.tasks);
    const unexplained = allTasks.filter((task) => !task.explained);
    const badOutputResubmissions = allTasks.filter((task) => task.explanation.startsWith('BAD_OUTPUT')).length;
    const stuckResubmissions = allTasks.filter((task) => task.explanation.startsWith('stuck')).length;
    const expectedSubmissions = total + badOutputResubmissions + stuckResubmissions;
    const strangers = stats.tasks.filter((task) => !this.variants.some((variant) => variant.promptText === task.promptText));
    check(
      'duplicate submissions beyond deliberate resubmissions',
      unexplained.length === 0 && strangers.length === 0 && stats.submissions.total === expectedSubmissions,
      `0 (${total} + ${badOutputResubmissions} after BAD_OUTPUT + ${stuckResubmissions} after a stuck queue = ${expectedSubmissions} POSTs)`,
      unexplained.length === 0 && strangers.length === 0
        ? `0 (${stats.submissions.total} POSTs)`
        : `${unexplained.length + strangers.length}: ${[...unexplained.map((task) => `${task.id} ${task.status}: ${task.explanation}`), ...strangers.map((task) => `${task.id} unknown prompt`)].join('; ')}`,
    );
    const stuckHandled = stuckVariants.every((variant) => {
      const account = accounts.find((candidate) => candidate.variantId === variant.id);
      return account?.outcome === 'archived' && account.tasks.some((task) => task.explanation.startsWith('stuck'));
    });
    check('stuck tasks DELETEd and resubmitted', stuckHandled && stuckResubmissions === stuckVariants.length, `${stuckVariants.length}`, `${stuckResubmissions}`);

    // The cap.
    check('max concurrent Runway tasks <= cap', stats.maxConcurrentRunning.overall <= this.options.cap, `<= ${this.options.cap}`, String(stats.maxConcurrentRunning.overall));
    check('THROTTLED (Runway silent queue)', stats.throttledCount === 0, '0', String(stats.throttledCount));

    // Credits: list price of one submission per variant, plus the charged BAD_OUTPUT attempts; stuck tasks are refunded.
    const listPrice = this.variants.reduce((sum, variant) => sum + variant.listCredits, 0);
    const badOutputCharges = allTasks.filter((task) => task.explanation.startsWith('BAD_OUTPUT')).reduce((sum, task) => sum + (stats.tasks.find((candidate) => candidate.id === task.id)?.credits ?? 0), 0);
    const expectedNet = listPrice + badOutputCharges;
    const moderatedCharge = moderatedVariants.reduce((sum, variant) => sum + variant.listCredits, 0);
    check('credits charged (net) = list price + BAD_OUTPUT attempts', stats.credits.net === expectedNet, `${expectedNet} (${listPrice} + ${badOutputCharges})`, `${stats.credits.net} (charged ${stats.credits.charged}, refunded ${stats.credits.refunded})`);
    check('credits the campaign reports = Runway bill - moderated charge', result.credits === stats.credits.net - moderatedCharge, String(stats.credits.net - moderatedCharge), String(result.credits));

    // The chaos itself happened, mid-run, and nothing else did.
    const kills = this.events.filter((event) => event.kind === 'worker_sigkill');
    const unexpectedExits = this.events.filter((event) => event.kind === 'worker_unexpected_exit');
    const planned = [kills.length === 2, this.events.some((event) => event.kind === 'temporal_restart'), this.events.some((event) => event.kind === 's3_outage')];
    check(
      'disruptions landed mid-run (2 SIGKILL, Temporal restart, S3 outage)',
      planned.every(Boolean) && this.events.every((event) => event.atSec < timing.wallTimeSec),
      '2 kills, 1 Temporal restart, 1 S3 outage before the end',
      this.events.filter((event) => event.kind !== 'worker_unexpected_exit').map((event) => `${event.kind}@${event.atSec}s`).join(', ') || 'none',
    );
    check('worker exits not caused by the test', unexpectedExits.length === 0, '0', String(unexpectedExits.length));
    const injected = stats.faultsInjected;
    const rejected = stats.requests.rejectedByStatus;
    const serverErrors = (rejected['502'] ?? 0) + (rejected['503'] ?? 0) + (rejected['504'] ?? 0);
    const faultsSeen = {
      '5xx': serverErrors,
      '429': rejected['429'] ?? 0,
      reset: injected.reset ?? 0,
      bad_output: injected.bad_output ?? 0,
      stuck_queue: injected.stuck_queue ?? 0,
      moderation: injected.moderation ?? 0,
      truncated: stats.downloads.truncated,
      'expired URL (403)': stats.downloads.forbidden,
    };
    const missingFaults = Object.entries(faultsSeen).filter(([, count]) => count === 0).map(([name]) => name);
    check('every kind of fault was injected', missingFaults.length === 0, 'each >= 1', Object.entries(faultsSeen).map(([name, count]) => `${name} ${count}`).join(', '));

    const logs = this.workers.map((worker) => worker.output()).join('\n');
    const report: ChaosReport = {
      label: this.options.label,
      startedAt: timing.startedAt.toISOString(),
      options: withoutLog(this.options),
      dataDir: this.stack.dataDir,
      campaignId: this.campaignId,
      figures: {
        variants: total,
        archived: result.archived,
        failed: result.failed,
        lost,
        strayObjects: strays,
        submissions: stats.submissions.total,
        expectedSubmissions,
        deliberateResubmissions: { badOutput: badOutputResubmissions, stuckQueue: stuckResubmissions },
        unexplainedSubmissions: unexplained.length + strangers.length,
        maxConcurrent: stats.maxConcurrentRunning.overall,
        cap: this.options.cap,
        throttled: stats.throttledCount,
        sha256Checked: shaChecked,
        sha256Mismatches: shaMismatches.length,
        credits: { listPrice, charged: stats.credits.charged, refunded: stats.credits.refunded, net: stats.credits.net, expectedNet, productReported: result.credits, moderatedCharge },
        wallTimeSec: round1(timing.wallTimeSec),
        stackStartSec: round1(timing.stackStartSec),
        totalSec: round1(timing.totalSec),
        workerProcesses: this.workerCount,
        resumedGenerations: countMatches(logs, '"resuming Runway task after retry"'),
        missedPolls: countMatches(logs, '"poll failed; polling again"'),
        faultsInjected: stats.faultsInjected,
        rejectedByStatus: stats.requests.rejectedByStatus,
        downloads: stats.downloads,
        gets: stats.gets,
        deletes: stats.deletes,
      },
      events: this.events,
      variants: accounts,
      checks,
      ok: checks.every((candidate) => candidate.ok),
    };
    return report;
  }

  private async listObjects(): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3!.send(new ListObjectsV2Command({ Bucket: this.stack.env.S3_BUCKET, Prefix: `${this.campaignId}/`, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private async objectBytes(key: string): Promise<Buffer> {
    const object = await this.s3!.send(new GetObjectCommand({ Bucket: this.stack.env.S3_BUCKET, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }
}

function groupTasks(tasks: SimTask[]): Map<string, SimTask[]> {
  const byPrompt = new Map<string, SimTask[]>();
  for (const task of tasks) {
    const key = task.promptText ?? '';
    byPrompt.set(key, [...(byPrompt.get(key) ?? []), task]);
  }
  for (const list of byPrompt.values()) list.sort((a, b) => a.submissionIndex - b.submissionIndex);
  return byPrompt;
}

type Outcome = CampaignResult['variants'][number];

/**
 * Each Runway task of a variant must be one the workflow knows (its submission history) and have a
 * reason: the archived one, a BAD_OUTPUT failure, a stuck-queue task we DELETEd, or the moderation refusal.
 */
function explainVariant(variant: PlannedVariant, tasks: SimTask[], outcome: Outcome | undefined): VariantAccount {
  const history = outcome?.result?.submissionHistory ?? [];
  const explained = tasks.map((task) => {
    const recorded = history.find((record) => record.taskId === task.id);
    const base = { id: task.id, status: task.status, failureCode: task.failureCode };
    if (outcome?.result?.runwayTaskId === task.id && task.status === 'SUCCEEDED') return { ...base, explanation: 'archived', explained: true };
    if (recorded?.outcome === 'failed' && task.status === 'FAILED' && (task.failureCode ?? '').startsWith('INTERNAL.BAD_OUTPUT') && task.faults.includes('bad_output')) {
      return { ...base, explanation: 'BAD_OUTPUT: charged, resubmitted', explained: true };
    }
    const neverRan = task.history.every((change) => change.status !== 'RUNNING');
    const deletedWhileStuck = task.stuck === 'queue' && task.deleted && task.status === 'CANCELLED' && neverRan && task.refunded;
    if (deletedWhileStuck && recorded?.outcome === 'queue_timeout') {
      return { ...base, explanation: 'stuck in the queue: DELETEd (refunded), resubmitted', explained: true };
    }
    if (deletedWhileStuck && recorded?.outcome === 'vanished') {
      // The attempt that DELETEd it could not report back (crash or Temporal down); its retry found the task gone.
      return { ...base, explanation: 'stuck in the queue: DELETEd (refunded), resubmitted; recorded as vanished (the DELETEing attempt was lost, its retry got 404)', explained: true };
    }
    if (variant.role === 'moderated' && outcome?.state === 'failed' && task.status === 'FAILED' && (task.failureCode ?? '').startsWith('SAFETY') && tasks.length === 1) {
      return { ...base, explanation: 'moderated by Runway: terminal, not resubmitted', explained: true };
    }
    const why = recorded ? `the workflow recorded it as ${recorded.outcome}, with no injected fault to justify it` : 'a task the workflow never recorded (a lost create answer or a crash before the heartbeat)';
    return { ...base, explanation: `UNEXPLAINED: ${why}; history ${task.history.map((change) => change.status).join('>')}`, explained: false };
  });
  return { variantId: variant.id, role: variant.role, outcome: outcome?.state ?? 'missing', tasks: explained };
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

function countMatches(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export { CHAOS_MODEL };
