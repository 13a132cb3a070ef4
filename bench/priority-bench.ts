import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { requestFingerprint } from '../infra/request-fingerprint';
import {
  creditsFor,
  generationOptionsInputSchema,
  resolveGenerationOptions,
  type BrollWorkflowInput,
  type ResolvedVideoRequest,
} from '../schemas';
import type { AdminTaskView } from '../simulator/task-view';
import {
  BENCH_SEED,
  CAP,
  DURATION,
  GENERATION_SECONDS,
  MODEL,
  POLL_INTERVAL_MS,
  RATIO,
  TIME_SCALE,
  benchPrompts,
  makespanSimulatorConfig,
} from './bench-config';
import type { BenchStack } from './bench-stack';
import { benchCampaign } from './campaign-file';
import { startProduct, type RunningProduct } from './product-workers';
import { slotRank, slotsTaken, type SlotTask } from './slot-handoffs';
import { spread, type Spread } from './stats';

/**
 * Priorities and fairness in the lease pool, on the makespan bench's simulator (cap 10, 45 s median
 * generations at ×8), three parts per round:
 * - an editor's reject → its regeneration's POST, while a 2,000-variant campaign holds the cap with its
 *   backlog waiting: seconds, and campaign tasks that ended (slots freed) in between;
 * - two campaigns started together: each one's share of the POSTs while both are submitting;
 * - what yielding costs a campaign: its makespan alone and with interactive generations cutting in.
 */
export interface PriorityReport {
  cap: number;
  backlogVariants: number;
  rejectsPerRound: number;
  fairVariantsEach: number;
  yieldVariants: number;
  interactivePerRound: number;
  rounds: PriorityRound[];
  rejectWaitP50Sec: Spread;
  rejectWaitP95Sec: Spread;
  slotsFreedP50: Spread;
  slotsFreedP95: Spread;
  rejectHandoffP50Sec: Spread;
  rejectHandoffP95Sec: Spread;
  campaignHandoffP50Sec: Spread;
  campaignHandoffP95Sec: Spread;
  tasksEndedP50: Spread;
  tasksEndedP95: Spread;
  fairShareA: Spread;
  yieldCostSec: Spread;
  yieldCostPct: Spread;
  /** What the interactive generations take of the cap: their generation time over the cap, per round. */
  yieldIdealSec: Spread;
}

export interface PriorityRound {
  round: number;
  rejectWaitsSec: number[];
  /** Where the slot each regeneration took came among those freed after its reject (1 = the next one). */
  slotsFreedBefore: number[];
  /** Campaign tasks that ended between the reject and the POST, whoever got their slots. */
  tasksEndedMeanwhile: number[];
  /** The regeneration's slot's end → its POST. */
  rejectHandoffsSec: number[];
  /** The campaign's own handoffs over the same minutes. */
  campaignHandoffsSec: number[];
  fairShareA: number;
  campaignAloneSec: number;
  campaignYieldingSec: number;
  interactiveGenerationSec: number;
}

const BACKLOG_VARIANTS = 2_000;
const REJECTS = 6;
const FAIR_VARIANTS = 60;
const YIELD_VARIANTS = 100;
const INTERACTIVE = 8;
const OPTIONS = { pollInterval: POLL_INTERVAL_MS };

export async function runPriorityBench(
  bench: BenchStack,
  bundle: WorkflowBundleWithSourceMap,
  options: { rounds: number; log: (line: string) => void },
): Promise<PriorityReport> {
  const product = await startProduct(bench, { name: 'priority', cap: CAP, bundle });
  const rounds: PriorityRound[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const rejects = await rejectWaits(bench, product, round, options.log);
      const fairShareA = await fairShare(bench, product, round, options.log);
      const yielding = await yieldCost(bench, product, round, options.log);
      rounds.push({ round, ...rejects, fairShareA, ...yielding });
    }
  } finally {
    await product.stop();
  }
  const perRound = (pick: (round: PriorityRound) => number) => spread(rounds.map(pick), 3);
  return {
    cap: CAP,
    backlogVariants: BACKLOG_VARIANTS,
    rejectsPerRound: REJECTS,
    fairVariantsEach: FAIR_VARIANTS,
    yieldVariants: YIELD_VARIANTS,
    interactivePerRound: INTERACTIVE,
    rounds,
    rejectWaitP50Sec: perRound((round) => percentile(round.rejectWaitsSec, 0.5)),
    rejectWaitP95Sec: perRound((round) => percentile(round.rejectWaitsSec, 0.95)),
    slotsFreedP50: perRound((round) => percentile(round.slotsFreedBefore, 0.5)),
    slotsFreedP95: perRound((round) => percentile(round.slotsFreedBefore, 0.95)),
    rejectHandoffP50Sec: perRound((round) => percentile(round.rejectHandoffsSec, 0.5)),
    rejectHandoffP95Sec: perRound((round) => percentile(round.rejectHandoffsSec, 0.95)),
    campaignHandoffP50Sec: perRound((round) => percentile(round.campaignHandoffsSec, 0.5)),
    campaignHandoffP95Sec: perRound((round) => percentile(round.campaignHandoffsSec, 0.95)),
    tasksEndedP50: perRound((round) => percentile(round.tasksEndedMeanwhile, 0.5)),
    tasksEndedP95: perRound((round) => percentile(round.tasksEndedMeanwhile, 0.95)),
    fairShareA: perRound((round) => round.fairShareA),
    yieldCostSec: perRound((round) => round.campaignYieldingSec - round.campaignAloneSec),
    yieldCostPct: perRound((round) => ((round.campaignYieldingSec - round.campaignAloneSec) / round.campaignAloneSec) * 100),
    yieldIdealSec: perRound((round) => round.interactiveGenerationSec / CAP),
  };
}

/**
 * The editor's rejects while the campaign's backlog waits: each regeneration's POST after the reject, which slot
 * freed after the reject it took, and its handoff (that slot's end → its POST) beside the campaign's own handoffs
 * over the same minutes.
 */
async function rejectWaits(bench: BenchStack, product: RunningProduct, round: number, log: (line: string) => void) {
  await bench.sim.reset({ ...makespanSimulatorConfig(), seed: BENCH_SEED + round });
  const campaignId = `backlog-r${round}`;
  await product.api.campaigns.start(benchCampaign(campaignId, benchPrompts(BACKLOG_VARIANTS), OPTIONS));
  await until(async () => (await bench.sim.stats({ tasks: false })).currentLive.overall >= CAP, 120_000);
  const projectId = `review-r${round}`;
  await product.api.broll.startPlanned(reviewProject(bench, projectId, REJECTS));
  await until(async () => (await product.api.broll.progress(projectId)).items.every((item) => item.state === 'awaiting-review'), 300_000);
  const rejectWaitsSec: number[] = [];
  const slotsFreedBefore: number[] = [];
  const tasksEndedMeanwhile: number[] = [];
  const rejectHandoffsSec: number[] = [];
  const regenerations = new Set<string>();
  const firstRejectAt = Date.now();
  for (let index = 0; index < REJECTS; index++) {
    const segmentId = segmentKey(index);
    const promptText = `Regenerated take ${index + 1} of round ${round}: the harbour at night`;
    const rejectedAt = Date.now();
    await product.api.broll.reject(projectId, segmentId, promptText);
    const regeneration = await until(async () => (await bench.sim.stats()).tasks.find((task) => task.promptText === promptText), 120_000);
    regenerations.add(regeneration.id);
    const postedAt = Date.parse(regeneration.createdAt);
    const tasks = slotTasks((await bench.sim.stats()).tasks);
    const { freedMs, handoffMs } = slotsTaken(tasks, CAP).get(regeneration.id) ?? {};
    if (freedMs === undefined || handoffMs === undefined)
      throw new Error(`bench: priority: ${regeneration.id} took no freed slot; the cap was not held`);
    rejectWaitsSec.push((postedAt - rejectedAt) / 1000);
    slotsFreedBefore.push(slotRank(tasks, freedMs, rejectedAt));
    tasksEndedMeanwhile.push(tasks.filter((task) => task.id !== regeneration.id && endedBetween(task, rejectedAt, postedAt)).length);
    rejectHandoffsSec.push(handoffMs / 1000);
    await until(async () => (await product.api.broll.progress(projectId)).items[index]?.state === 'awaiting-review', 120_000);
  }
  const tasks = slotTasks((await bench.sim.stats()).tasks);
  const campaignHandoffsSec = [...slotsTaken(tasks, CAP)]
    .filter(([id, taken]) => !regenerations.has(id) && taken.freedMs !== undefined && taken.freedMs >= firstRejectAt)
    .map(([, taken]) => (taken.handoffMs ?? 0) / 1000);
  log(
    `bench: priority round ${round}: reject → POST ${rejectWaitsSec.map((sec) => sec.toFixed(2)).join(', ')} s; its slot the n-th freed after the reject ${slotsFreedBefore.join(', ')}; its handoff ${rejectHandoffsSec.map((sec) => sec.toFixed(2)).join(', ')} s; the campaign's handoffs meanwhile p50 ${percentile(campaignHandoffsSec, 0.5).toFixed(2)} s, p95 ${percentile(campaignHandoffsSec, 0.95).toFixed(2)} s; tasks ended between reject and POST ${tasksEndedMeanwhile.join(', ')}`,
  );
  await product.api.broll.cancel(projectId);
  await product.api.campaigns.cancel(campaignId);
  await product.client.workflow
    .getHandle(campaignId)
    .result()
    .catch(() => undefined);
  await until(async () => (await bench.sim.stats({ tasks: false })).currentLive.overall === 0, 300_000);
  return { rejectWaitsSec, slotsFreedBefore, tasksEndedMeanwhile, rejectHandoffsSec, campaignHandoffsSec };
}

/** Two campaigns started together: A's share of the POSTs from the first until either made its last. */
async function fairShare(bench: BenchStack, product: RunningProduct, round: number, log: (line: string) => void): Promise<number> {
  await bench.sim.reset({ ...makespanSimulatorConfig(), seed: BENCH_SEED + round });
  const prompts = (label: string) => benchPrompts(FAIR_VARIANTS).map((prompt) => `${label}: ${prompt}`);
  const started = await Promise.all(
    ['A', 'B'].map((label) => product.api.campaigns.start(benchCampaign(`fair-${label}-r${round}`, prompts(`Campaign ${label}`), OPTIONS))),
  );
  await Promise.all(started.map((campaign) => product.api.campaigns.waitForResult(campaign.campaignId)));
  const created = (await bench.sim.stats()).tasks.map((task) => ({
    a: task.promptText?.startsWith('Campaign A') ?? false,
    at: Date.parse(task.createdAt),
  }));
  const lastOf = (a: boolean) => Math.max(...created.filter((task) => task.a === a).map((task) => task.at));
  const commonEnd = Math.min(lastOf(true), lastOf(false));
  const common = created.filter((task) => task.at <= commonEnd);
  const share = common.filter((task) => task.a).length / common.length;
  log(`bench: priority round ${round}: campaign A's share of ${common.length} POSTs while both submitted: ${(share * 100).toFixed(1)} %`);
  return share;
}

/** The same campaign alone, then with interactive generations cutting in every 2 s over its first part. */
async function yieldCost(bench: BenchStack, product: RunningProduct, round: number, log: (line: string) => void) {
  const timed = async (campaignId: string, alongside: () => Promise<void>): Promise<number> => {
    await bench.sim.reset({ ...makespanSimulatorConfig(), seed: BENCH_SEED + round });
    const startedAt = Date.now();
    const started = await product.api.campaigns.start(benchCampaign(campaignId, benchPrompts(YIELD_VARIANTS), OPTIONS));
    const [result] = await Promise.all([product.api.campaigns.waitForResult(started.campaignId), alongside()]);
    if (result.archived !== YIELD_VARIANTS) throw new Error(`${campaignId}: ${result.archived} of ${YIELD_VARIANTS} archived`);
    return (Date.now() - startedAt) / 1000;
  };
  const campaignAloneSec = await timed(`yield-alone-r${round}`, async () => undefined);
  let interactiveGenerationSec = 0;
  const campaignYieldingSec = await timed(`yield-shared-r${round}`, async () => {
    const results = [];
    for (let index = 0; index < INTERACTIVE; index++) {
      await sleep(2_000);
      const handle = await product.api.generations.startVideo({
        videoId: `interactive-r${round}-${index + 1}`,
        model: MODEL,
        promptText: `An editor's single shot ${index + 1}, round ${round}`,
        ratio: RATIO,
        duration: DURATION,
        options: OPTIONS,
      });
      results.push(handle.result());
    }
    const generated = await Promise.all(results);
    interactiveGenerationSec = generated.reduce(
      (sum, result) =>
        sum +
        (Date.parse(result.timings.generatedAt ?? result.timings.archivedAt) -
          Date.parse(result.timings.submittedAt ?? result.timings.startedAt)) /
          1000,
      0,
    );
  });
  log(
    `bench: priority round ${round}: campaign alone ${campaignAloneSec.toFixed(1)} s, with ${INTERACTIVE} interactive ${campaignYieldingSec.toFixed(1)} s`,
  );
  return { campaignAloneSec, campaignYieldingSec, interactiveGenerationSec };
}

/** A B-roll project of `segments` text-to-video segments, planned by hand (the planner is not what is measured). */
function reviewProject(bench: BenchStack, projectId: string, segments: number): BrollWorkflowInput {
  return {
    projectId,
    fps: 25,
    archive: { bucket: bench.bucket, prefix: 'priority/' },
    options: resolveGenerationOptions(generationOptionsInputSchema.parse(OPTIONS)),
    segments: Array.from({ length: segments }, (_, index) => {
      const request: ResolvedVideoRequest = {
        model: MODEL,
        promptText: `Archive footage of the harbour, segment ${index + 1}`,
        ratio: RATIO,
        duration: DURATION,
      };
      return {
        segmentId: segmentKey(index),
        recordInMs: index * 6_000,
        recordOutMs: index * 6_000 + 5_000,
        text: `Segment ${index + 1}`,
        keywords: ['harbour'],
        request,
        takeFingerprints: [requestFingerprint(request)],
        estimatedCredits: creditsFor(MODEL, DURATION),
      };
    }),
  };
}

function segmentKey(index: number): string {
  return `s${String(index + 1).padStart(2, '0')}`;
}

/** The simulator's tasks as slots: created (the POST) and ended (SUCCEEDED, FAILED or CANCELLED), if they have. */
function slotTasks(tasks: readonly AdminTaskView[]): SlotTask[] {
  return tasks.map((task) => {
    const end = task.history.find((change) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(change.status));
    return { id: task.id, createdMs: Date.parse(task.createdAt), endedMs: end ? Date.parse(end.at) : undefined };
  });
}

/** The task ended (freeing its slot) within (from, to]. */
function endedBetween(task: SlotTask, from: number, to: number): boolean {
  return task.endedMs !== undefined && task.endedMs > from && task.endedMs <= to;
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function until<T>(read: () => Promise<T>, timeoutMs: number): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`bench: priority: a condition was not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The generation the section's figures are in: the makespan bench's. */
export const PRIORITY_WORKLOAD = `gen4.5 5 s, lognormal median ${GENERATION_SECONDS.median} s σ ${GENERATION_SECONDS.sigma} at ×${TIME_SCALE}, cap ${CAP}`;
