// One file on purpose: every account a chaos run settles (S3 objects, the simulator's bill, the campaign's
// result, the manifest) is checked against the others here, so a reader sees the whole reconciliation at once.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { CampaignResult } from '../../schemas';
import { withoutLog, type ChaosOptions, type ChaosTopology } from './options';
import type { PlannedVariant } from './plan';
import type { ChaosCheck, ChaosEvent, ChaosReport, VariantAccount } from './report';
import type { SimulatorSnapshot } from '../../simulator/state';
import type { AdminTaskView } from '../../simulator/task-view';

/** What the accounting needs from a finished run: the plan, the disruptions, the workers' output and where the objects are. */
export interface ChaosRunRecord {
  options: ChaosOptions;
  topology: ChaosTopology;
  topologyDescription: string;
  logsDir: string;
  variants: PlannedVariant[];
  campaignId: string;
  dataDir: string;
  events: ChaosEvent[];
  workerProcesses: number;
  /** Every worker process's output, one after the other. */
  workerLogs: string;
  s3: S3Client;
  bucket: string;
}

export interface ChaosTiming {
  startedAt: Date;
  wallTimeSec: number;
  stackStartSec: number;
  totalSec: number;
}

/**
 * Turns the campaign's result, the simulator's task list and the bucket into the report's checks and
 * figures: every object and credit accounted for against what Runway (the simulator) recorded.
 */
export async function accountCampaign(
  run: ChaosRunRecord,
  result: CampaignResult,
  stats: SimulatorSnapshot,
  timing: ChaosTiming,
): Promise<ChaosReport> {
  const checks: ChaosCheck[] = [];
  const check = (name: string, ok: boolean, expected: string, actual: string) => checks.push({ name, ok, expected, actual });
  const total = run.variants.length;
  const moderatedVariants = run.variants.filter((variant) => variant.role === 'moderated');
  const stuckVariants = run.variants.filter((variant) => variant.role === 'stuck');
  const tasksByPrompt = groupTasks(stats.tasks);
  const outcomes = new Map(result.variants.map((outcome) => [outcome.variantId, outcome]));
  const objects = await listObjects(run.s3, run.bucket, `${run.campaignId}/`);

  // Archived, failed, and the failure being the moderated prompt and nothing else.
  check(
    'archived',
    result.archived === total - moderatedVariants.length,
    String(total - moderatedVariants.length),
    String(result.archived),
  );
  const failures = result.variants.filter((outcome) => outcome.state !== 'archived');
  const failureText =
    failures
      .map(
        (outcome) =>
          `${outcome.variantId} ${outcome.error?.type ?? outcome.state}${outcome.error?.failureCode ? ` ${outcome.error.failureCode}` : ''}`,
      )
      .join(', ') || 'none';
  const onlyModeratedFailed =
    failures.length === moderatedVariants.length &&
    failures.every(
      (outcome) =>
        moderatedVariants.some((variant) => variant.id === outcome.variantId) &&
        outcome.error?.type === 'ContentModeration' &&
        (outcome.error.failureCode ?? '').startsWith('SAFETY'),
    );
  check(
    'failed = the Runway-moderated prompt only',
    onlyModeratedFailed,
    moderatedVariants.map((variant) => `${variant.id} ContentModeration SAFETY.*`).join(', '),
    failureText,
  );

  // Lost and stray objects, and every object's bytes against the simulator's record.
  let lost = 0;
  let strays = 0;
  let shaChecked = 0;
  const shaMismatches: string[] = [];
  for (const variant of run.variants) {
    const keys = objects.filter((key) => key.startsWith(`${run.campaignId}/${variant.id}/`) && key.endsWith('.mp4'));
    const shouldHave = variant.role === 'moderated' ? 0 : 1;
    if (keys.length < shouldHave) lost += shouldHave - keys.length;
    if (keys.length > shouldHave) strays += keys.length - shouldHave;
    for (const key of keys) {
      const taskId = path.basename(key, '.mp4');
      const task = stats.tasks.find((candidate) => candidate.id === taskId);
      const bytes = await objectBytes(run.s3, run.bucket, key);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const reported = outcomes.get(variant.id)?.result?.s3.sha256;
      shaChecked += 1;
      if (!task?.outputSha256 || sha256 !== task.outputSha256 || sha256 !== reported || task.promptText !== variant.promptText) {
        shaMismatches.push(
          `${key}: object ${sha256.slice(0, 12)}, Runway ${task?.outputSha256?.slice(0, 12) ?? 'no task'}, workflow ${reported?.slice(0, 12) ?? 'none'}`,
        );
      }
    }
  }
  check('lost (a variant without its S3 object)', lost === 0, '0', String(lost));
  check('stray objects (more than one video per variant)', strays === 0, '0', String(strays));
  check(
    'sha256 of every S3 object = Runway record = workflow result',
    shaMismatches.length === 0 && shaChecked === total - moderatedVariants.length,
    `${total - moderatedVariants.length} equal`,
    shaMismatches.length === 0 ? `${shaChecked} equal` : shaMismatches.join('; '),
  );

  // Every Runway task explained by the workflow's own submission history and an injected fault.
  const accounts = run.variants.map((variant) =>
    explainVariant(variant, tasksByPrompt.get(variant.promptText) ?? [], outcomes.get(variant.id)),
  );
  const allTasks = accounts.flatMap((account) => account.tasks);
  const unexplained = allTasks.filter((task) => !task.explained);
  const badOutputResubmissions = allTasks.filter((task) => task.explanation.startsWith('BAD_OUTPUT')).length;
  const stuckResubmissions = allTasks.filter((task) => task.explanation.startsWith('stuck')).length;
  const expectedSubmissions = total + badOutputResubmissions + stuckResubmissions;
  const strangers = stats.tasks.filter((task) => !run.variants.some((variant) => variant.promptText === task.promptText));
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
  check(
    'stuck tasks DELETEd and resubmitted',
    stuckHandled && stuckResubmissions === stuckVariants.length,
    `${stuckVariants.length}`,
    `${stuckResubmissions}`,
  );

  // The cap.
  check(
    'max concurrent Runway tasks <= cap',
    stats.maxConcurrentRunning.overall <= run.options.cap,
    `<= ${run.options.cap}`,
    String(stats.maxConcurrentRunning.overall),
  );
  check('THROTTLED (Runway silent queue)', stats.throttledCount === 0, '0', String(stats.throttledCount));

  // Credits: list price of one submission per variant, plus the charged BAD_OUTPUT attempts; stuck tasks are refunded.
  const listPrice = run.variants.reduce((sum, variant) => sum + variant.listCredits, 0);
  const badOutputCharges = allTasks
    .filter((task) => task.explanation.startsWith('BAD_OUTPUT'))
    .reduce((sum, task) => sum + (stats.tasks.find((candidate) => candidate.id === task.id)?.credits ?? 0), 0);
  const expectedNet = listPrice + badOutputCharges;
  check(
    'credits charged (net) = list price + BAD_OUTPUT attempts',
    stats.credits.net === expectedNet,
    `${expectedNet} (${listPrice} + ${badOutputCharges})`,
    `${stats.credits.net} (charged ${stats.credits.charged}, refunded ${stats.credits.refunded})`,
  );
  // Runway bills the moderated attempt too: the campaign reports the whole bill, nothing more or less.
  check(
    'credits the campaign reports = Runway bill (net)',
    result.credits === stats.credits.net,
    String(stats.credits.net),
    String(result.credits),
  );

  // The chaos itself happened, mid-run, and nothing else did.
  const kills = run.events.filter((event) => event.kind === 'worker_sigkill');
  const unexpectedExits = run.events.filter((event) => event.kind === 'worker_unexpected_exit');
  const withPostgres = run.topology === 'production';
  const planned = [
    kills.length === 2,
    run.events.some((event) => event.kind === 'temporal_restart'),
    !withPostgres || run.events.some((event) => event.kind === 'postgres_restart'),
    run.events.some((event) => event.kind === 's3_outage'),
  ];
  check(
    `disruptions landed mid-run (2 SIGKILL, Temporal restart, ${withPostgres ? 'PostgreSQL crash, ' : ''}S3 outage)`,
    planned.every(Boolean) && run.events.every((event) => event.atSec < timing.wallTimeSec),
    `2 kills, 1 Temporal restart, ${withPostgres ? '1 PostgreSQL crash, ' : ''}1 S3 outage before the end`,
    run.events
      .filter((event) => event.kind !== 'worker_unexpected_exit')
      .map((event) => `${event.kind}@${event.atSec}s`)
      .join(', ') || 'none',
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
  const missingFaults = Object.entries(faultsSeen)
    .filter(([, count]) => count === 0)
    .map(([name]) => name);
  check(
    'every kind of fault was injected',
    missingFaults.length === 0,
    'each >= 1',
    Object.entries(faultsSeen)
      .map(([name, count]) => `${name} ${count}`)
      .join(', '),
  );

  const report: ChaosReport = {
    label: run.options.label,
    topology: run.topology,
    topologyDescription: run.topologyDescription,
    logsDir: run.logsDir,
    startedAt: timing.startedAt.toISOString(),
    options: withoutLog(run.options),
    dataDir: run.dataDir,
    campaignId: run.campaignId,
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
      cap: run.options.cap,
      throttled: stats.throttledCount,
      sha256Checked: shaChecked,
      sha256Mismatches: shaMismatches.length,
      credits: {
        listPrice,
        charged: stats.credits.charged,
        refunded: stats.credits.refunded,
        net: stats.credits.net,
        expectedNet,
        productReported: result.credits,
      },
      wallTimeSec: round1(timing.wallTimeSec),
      stackStartSec: round1(timing.stackStartSec),
      totalSec: round1(timing.totalSec),
      workerProcesses: run.workerProcesses,
      resumedGenerations: countMatches(run.workerLogs, '"resuming Runway task after retry"'),
      missedPolls: countMatches(run.workerLogs, '"poll failed; polling again"'),
      faultsInjected: stats.faultsInjected,
      rejectedByStatus: stats.requests.rejectedByStatus,
      downloads: stats.downloads,
      gets: stats.gets,
      deletes: stats.deletes,
    },
    events: run.events,
    variants: accounts,
    checks,
    ok: checks.every((candidate) => candidate.ok),
  };
  return report;
}

async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

function groupTasks(tasks: AdminTaskView[]): Map<string, AdminTaskView[]> {
  const byPrompt = new Map<string, AdminTaskView[]>();
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
function explainVariant(variant: PlannedVariant, tasks: AdminTaskView[], outcome: Outcome | undefined): VariantAccount {
  const history = outcome?.result?.submissionHistory ?? [];
  const explained = tasks.map((task) => {
    const recorded = history.find((record) => record.taskId === task.id);
    const base = { id: task.id, status: task.status, failureCode: task.failureCode };
    if (outcome?.result?.runwayTaskId === task.id && task.status === 'SUCCEEDED')
      return { ...base, explanation: 'archived', explained: true };
    if (
      recorded?.outcome === 'failed' &&
      task.status === 'FAILED' &&
      (task.failureCode ?? '').startsWith('INTERNAL.BAD_OUTPUT') &&
      task.faults.includes('bad_output')
    ) {
      return { ...base, explanation: 'BAD_OUTPUT: charged, resubmitted', explained: true };
    }
    const neverRan = task.history.every((change) => change.status !== 'RUNNING');
    const deletedWhileStuck = task.stuck === 'queue' && task.deleted && task.status === 'CANCELLED' && neverRan && task.refunded;
    if (deletedWhileStuck && recorded?.outcome === 'queue_timeout') {
      return { ...base, explanation: 'stuck in the queue: DELETEd (refunded), resubmitted', explained: true };
    }
    if (deletedWhileStuck && recorded?.outcome === 'vanished') {
      // The attempt that DELETEd it could not report back (crash or Temporal down); its retry found the task gone.
      return {
        ...base,
        explanation:
          'stuck in the queue: DELETEd (refunded), resubmitted; recorded as vanished (the DELETEing attempt was lost, its retry got 404)',
        explained: true,
      };
    }
    if (
      variant.role === 'moderated' &&
      outcome?.state === 'failed' &&
      task.status === 'FAILED' &&
      (task.failureCode ?? '').startsWith('SAFETY') &&
      tasks.length === 1
    ) {
      return { ...base, explanation: 'moderated by Runway: terminal, not resubmitted', explained: true };
    }
    const why = recorded
      ? `the workflow recorded it as ${recorded.outcome}, with no injected fault to justify it`
      : 'a task the workflow never recorded (a lost create answer or a crash before the heartbeat)';
    return {
      ...base,
      explanation: `UNEXPLAINED: ${why}; history ${task.history.map((change) => change.status).join('>')}`,
      explained: false,
    };
  });
  return { variantId: variant.id, role: variant.role, outcome: outcome?.state ?? 'missing', tasks: explained };
}

function countMatches(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
