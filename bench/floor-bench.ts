import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { CAP, POLL_INTERVAL_MS, benchPrompts, makespanSimulatorConfig } from './bench-config';
import type { BenchStack } from './bench-stack';
import { variantId } from './campaign-file';
import { measureContender, type ContenderRun } from './contender-run';
import { floorActivities } from './floor/activities';
import { configuredTaskSeconds, makespanBound } from './makespan-bound';
import { FloorCampaign } from './floor/workflows';
import { serverWork, type ServerWork } from './orchestration-cost';
import { runSdkCampaign } from './sdk-contender';
import { round } from './resource-sampler';
import { counterDelta, readServerCounters } from './server-metrics';
import { spread, type Spread } from './stats';
import { quietLogger } from '../scripts/in-process-product';

/** One round: the official SDK loop and Temporal's floor on the same draws, in alternating order. */
export interface FloorRound {
  round: number;
  order: ['sdk', 'floor'] | ['floor', 'sdk'];
  floorSec: number;
  sdkSec: number;
  /** The same draws' ideal FIFO schedule (zero overhead, durations unknown), as the makespan section reports it. */
  idealFifoSec: number;
  floorVsIdealFifo: number;
  sdkVsIdealFifo: number;
  sdkCpuSec: number;
  workerCpuSec: number;
  serverCpuSec: number;
  /** (worker + server CPU) / SDK CPU: the same ratio the makespan section reports for the product. */
  cpuVsSdk: number;
  server: ServerWork;
  archived: number;
}

export interface FloorReport {
  variants: number;
  cap: number;
  rounds: FloorRound[];
  cpuVsSdk: Spread;
  /** Absent in the first file with a floor (2026-12-01-floor.json). */
  floorVsIdealFifo?: Spread;
  workerCpuSecPerVideo: Spread;
  serverCpuSecPerVideo: Spread;
  sdkCpuSecPerVideo: Spread;
  workflowTasksPerVideo: Spread;
  rpcsPerVideo: Spread;
  stateWritesPerVideo: Spread;
}

/**
 * What Temporal itself costs for the makespan workload: the same 100 variants, cap 10, run as the least a
 * durable campaign can be (bench/floor/workflows.ts) against the official SDK loop, CPU counted as for the
 * product. It prices the orchestration every Temporal design pays, whatever it adds on top: the product's
 * ratio can be no better than this one.
 */
export async function runFloorBench(
  bench: BenchStack,
  options: { rounds: number; variants: number; log: (line: string) => void },
): Promise<FloorReport> {
  const { log } = options;
  const prompts = benchPrompts(options.variants);
  const taskQueue = `bench-floor-${randomUUID().slice(0, 8)}`;
  const address = bench.stack.env.TEMPORAL_ADDRESS;
  const namespace = bench.stack.env.TEMPORAL_NAMESPACE;
  const connection = await NativeConnection.connect({ address });
  const s3 = bench.newS3Client();
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./floor/workflows'), logger: quietLogger }),
    activities: floorActivities(bench, s3),
    // The cap: this worker runs at most CAP generations at once, the rest wait in the task queue.
    maxConcurrentActivityTaskExecutions: CAP,
    shutdownGraceTime: '2s',
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const runFloor = async (campaignId: string, roundNumber: number, variantPrompts: readonly string[]) => {
    const before = await readServerCounters(bench.serverMetricsUrl);
    const { outcome, ...measured } = await measureContender(bench.sim, 'floor', roundNumber, async () => {
      const archived = await client.workflow.execute(FloorCampaign, {
        taskQueue,
        workflowId: `${campaignId}-${randomUUID().slice(0, 8)}`,
        args: [
          {
            campaignId,
            variants: variantPrompts.map((promptText, index) => ({ promptText, key: `floor/${campaignId}/${variantId(index)}.mp4` })),
          },
        ],
      });
      return { archived, failed: variantPrompts.length - archived };
    });
    return { run: measured, archived: outcome.archived, counters: counterDelta(before, await readServerCounters(bench.serverMetricsUrl)) };
  };
  try {
    log('bench: floor warm-up (3 variants per contender on a fast simulator)');
    await bench.sim.reset({ ...makespanSimulatorConfig(), timeScale: 600 });
    await runFloor('floor-warm-up', 0, ['Warm-up one', 'Warm-up two', 'Warm-up three']);
    const rounds: FloorRound[] = [];
    for (let roundNumber = 1; roundNumber <= options.rounds; roundNumber++) {
      const order: FloorRound['order'] = roundNumber % 2 === 1 ? ['sdk', 'floor'] : ['floor', 'sdk'];
      let sdk: ContenderRun | undefined;
      let floor: Awaited<ReturnType<typeof runFloor>> | undefined;
      for (const contender of order) {
        await bench.sim.reset(makespanSimulatorConfig());
        if (contender === 'sdk') {
          sdk = await runSdkCampaign(bench, {
            campaignId: `floor-r${roundNumber}`,
            prompts,
            pollIntervalMs: POLL_INTERVAL_MS,
            round: roundNumber,
          });
        } else {
          floor = await runFloor(`floor-r${roundNumber}`, roundNumber, prompts);
        }
      }
      const { idealFifoSec } = makespanBound(configuredTaskSeconds(floor!.run.sim, prompts));
      const workerCpuSec = floor!.run.resources.cpuSeconds;
      const serverCpuSec = floor!.run.resources.servicesCpuSeconds.temporal ?? 0;
      const figures: FloorRound = {
        round: roundNumber,
        order,
        floorSec: round(floor!.run.makespanSec, 2),
        sdkSec: round(sdk!.makespanSec, 2),
        idealFifoSec,
        floorVsIdealFifo: round(floor!.run.makespanSec / idealFifoSec, 4),
        sdkVsIdealFifo: round(sdk!.makespanSec / idealFifoSec, 4),
        sdkCpuSec: sdk!.resources.cpuSeconds,
        workerCpuSec,
        serverCpuSec,
        cpuVsSdk: round((workerCpuSec + serverCpuSec) / sdk!.resources.cpuSeconds, 3),
        server: serverWork(floor!.counters, prompts.length),
        archived: floor!.archived,
      };
      rounds.push(figures);
      log(
        `bench: floor round ${roundNumber}: floor ${figures.floorSec} s (${figures.archived} archived), sdk ${figures.sdkSec} s, ` +
          `floor/ideal FIFO ${figures.floorVsIdealFifo}, CPU vs SDK ${figures.cpuVsSdk}`,
      );
    }
    const over = (pick: (r: FloorRound) => number) => spread(rounds.map(pick));
    const perVideo = (seconds: number) => seconds / prompts.length;
    return {
      variants: prompts.length,
      cap: CAP,
      rounds,
      cpuVsSdk: over((r) => r.cpuVsSdk),
      floorVsIdealFifo: over((r) => r.floorVsIdealFifo),
      workerCpuSecPerVideo: over((r) => perVideo(r.workerCpuSec)),
      serverCpuSecPerVideo: over((r) => perVideo(r.serverCpuSec)),
      sdkCpuSecPerVideo: over((r) => perVideo(r.sdkCpuSec)),
      workflowTasksPerVideo: over((r) => r.server.workflowTasksPerVideo),
      rpcsPerVideo: over((r) => r.server.rpcsPerVideo),
      stateWritesPerVideo: over((r) => r.server.stateWritesPerVideo),
    };
  } finally {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await client.connection.close();
    s3.destroy();
  }
}
