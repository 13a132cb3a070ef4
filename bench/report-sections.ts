import { GENERATION_SECONDS, TARGETS, TIME_SCALE } from './bench-config';
import type { ArchiveCase } from './archive-bench';
import type { AssemblyBench } from './assembly-bench';
import type { BenchResults } from './bench-results';
import type { ContenderSummary } from './contender-summary';
import type { FloorReport } from './floor-bench';
import type { MakespanReport, MakespanRound } from './makespan-bench';
import { formatSpread, median, spread as spreadOf, type Spread } from './stats';
import { TEMPORAL_LIMITS } from './temporal-limits';
import type { ScaleProbe } from './scale-probe';
import type { ServerWork } from './orchestration-cost';
import { PRIORITY_WORKLOAD, type PriorityReport } from './priority-bench';

/** One titled table of the report. */
export interface ReportSection {
  title: string;
  rows: string[][];
}

export function reportSections(results: BenchResults): ReportSection[] {
  return [
    ...(results.makespan ? [makespanSection(results.makespan), ...roundsSection(results.makespan)] : []),
    ...(results.floor ? [floorSection(results.floor, results.makespan)] : []),
    ...(results.archive ? [archiveSection(results.archive)] : []),
    ...(results.scale ? [scaleSection(results.scale)] : []),
    ...(results.assembly ? [assemblySection(results.assembly)] : []),
    ...(results.priority ? [prioritySection(results.priority)] : []),
    targetsSection(results),
  ];
}

/** Older result files have no floor. */
function blindFloorRow(report: MakespanReport): string[][] {
  const floor = report.blindSchedulerFloor as MakespanReport['blindSchedulerFloor'] | undefined;
  if (!floor) return [];
  return [
    [
      `ideal blind FIFO + poll / c over ${floor.seeds} seeds`,
      `median ${floor.median.toFixed(3)} (p10 ${floor.p10.toFixed(3)}, p90 ${floor.p90.toFixed(3)})`,
      `${(floor.shareWithinTarget * 100).toFixed(0)} % of seeds ≤ ${TARGETS.makespanVsBound}`,
      'floor for any scheduler blind to durations',
    ],
  ];
}

/** Files before 2026-11-27 name two fields with "Slot": read either. */
function withCurrentNames(summary: ContenderSummary): ContenderSummary {
  const old = summary as ContenderSummary & { backlogSlotUtilisation?: number; meanSlotHandoffSec?: number };
  return {
    ...summary,
    backlogUtilisation: summary.backlogUtilisation ?? old.backlogSlotUtilisation ?? 0,
    meanHandoffSec: summary.meanHandoffSec ?? old.meanSlotHandoffSec ?? 0,
  };
}

function makespanSection(report: MakespanReport): ReportSection {
  const { bound } = report;
  const a = withCurrentNames(report.product);
  const b = withCurrentNames(report.sdk);
  const generation = `lognormal median ${GENERATION_SECONDS.median} s σ ${GENERATION_SECONDS.sigma} at ×${TIME_SCALE}`;
  const rounds = report.rounds.length / 2;
  const both = (pick: (summary: ContenderSummary) => string) => [pick(a), pick(b)];
  const ratio = (value: Spread | undefined, fallback: number) => (value ? formatSpread(value) : fallback.toFixed(3));
  const spread = report.spread;
  const ratioKind = spread
    ? `ratios: median (min–max) of ${rounds} ABBA round${rounds > 1 ? 's' : ''}, other rows: mean`
    : `mean of ${rounds} round${rounds > 1 ? 's' : ''}`;
  return {
    title: `Makespan: ${report.variants} variants, cap ${report.cap}, ${generation} (mean ${bound.meanSec.toFixed(2)} s real), poll ${(report.pollIntervalMs / 1000).toFixed(2)} s; ${ratioKind}`,
    rows: [
      ['', 'this project (a)', 'official SDK (b)', 'bound (c)'],
      [
        'makespan (s)',
        ...both((s) => s.makespanSec.toFixed(2)),
        `${bound.boundSec.toFixed(2)} = max(sum/10 ${(bound.sumSec / report.cap).toFixed(2)}, longest ${bound.longestSec.toFixed(2)}) + poll`,
      ],
      [
        'makespan_vs_bound_ratio (a/c)',
        ratio(spread?.vsBound, report.makespan_vs_bound_ratio),
        (b.makespanSec / bound.boundSec).toFixed(3),
        `optimum ≤ LPT ${bound.lptSec.toFixed(2)} s`,
      ],
      ['makespan_vs_sdk_ratio (a/b)', ratio(spread?.vsSdk, report.makespan_vs_sdk_ratio), '1.000', ''],
      [
        'vs ideal FIFO (no overhead, blind to durations)',
        ratio(spread?.vsIdealFifo, report.makespan_vs_ideal_fifo_ratio),
        (b.makespanSec / bound.idealFifoSec).toFixed(3),
        `ideal FIFO ${bound.idealFifoSec.toFixed(2)} s`,
      ],
      ...blindFloorRow(report),
      ['capacity utilisation under backlog', ...both((s) => `${(s.backlogUtilisation * 100).toFixed(1)} %`), '100 %'],
      ['mean handoff: task end → next POST (s)', ...both((s) => s.meanHandoffSec.toFixed(3)), '0'],
      [
        'first POST after start (s)',
        ...(['product', 'sdk'] as const).map((contender) => {
          const values = report.rounds.filter((round) => round.contender === contender).map((round) => round.firstSubmitSec);
          return values.length > 1 ? `median ${formatSpread(spreadOf(values, 2), 2)}` : (values[0] ?? 0).toFixed(2);
        }),
        '',
      ],
      ['THROTTLED / max running', ...both((s) => `${s.throttled} / ${s.maxConcurrentRunning}`), '0 / 10'],
      ['Runway GETs per video', ...both((s) => s.getsPerVideo.toFixed(2)), `budget ceil(t/poll)+2 = ${a.getsBudgetPerVideo.toFixed(2)}`],
      spread
        ? [
            'history events per video (all videos of a round)',
            `mean ${formatSpread(spread.eventsPerVideoMean, 1)}, max ${formatSpread(spread.eventsPerVideoMax, 0)}`,
            '—',
            `target ≤ ${TARGETS.historyEventsPerVideo}`,
          ]
        : [
            'history events per video (sample)',
            `${report.history.meanPerVideo} mean, ${report.history.maxPerVideo} max`,
            '—',
            'target ≤ 60',
          ],
      ...(spread
        ? [
            ['signals per video (video + pool + campaign histories)', formatSpread(spread.signalsPerVideo, 2), '—', ''],
            [
              'CPU-s per video: worker / Temporal server',
              `${formatSpread(spread.workerCpuSecPerVideo, 3)} / ${formatSpread(spread.serverCpuSecPerVideo, 3)}`,
              (b.cpuSeconds / report.variants).toFixed(3),
              '',
            ],
            ['(worker + server CPU) / SDK CPU', formatSpread(spread.cpuVsSdk, 2), '1.00', `target ≤ ${TARGETS.orchestrationCpuVsSdk}`],
          ]
        : []),
      ...serverWorkRows(report.perRound?.[report.perRound.length - 1]?.orchestration.server),
      ['campaign (parent) history', `${report.history.parent.events} events, ${kb(report.history.parent.bytes)}`, '—', ''],
      ['worker process CPU (s)', ...both((s) => s.cpuSeconds.toFixed(1)), ''],
      ['Temporal server CPU (s)', ...both((s) => (s.servicesCpuSeconds.temporal ?? 0).toFixed(1)), ''],
      ['peak RSS of the process (MB)', ...both((s) => s.peakRssMb.toFixed(0)), ''],
      ['archived / failed', ...both((s) => `${s.archived} / ${s.failed}`), ''],
    ],
  };
}

/** Each ABBA round on its own line, then the median and spread the targets are checked on. */
function roundsSection(report: MakespanReport): ReportSection[] {
  const { perRound, spread } = report;
  if (!perRound || !spread) return [];
  const fixed = (digits: number) => (value: number) => value.toFixed(digits);
  const columns: Array<[string, (round: MakespanRound) => number, (value: number) => string, Spread | undefined]> = [
    ['a (s)', (r) => r.productSec, fixed(2), undefined],
    ['b (s)', (r) => r.sdkSec, fixed(2), undefined],
    ['a/b', (r) => r.vsSdk, fixed(3), spread.vsSdk],
    ['a/ideal FIFO', (r) => r.vsIdealFifo, fixed(3), spread.vsIdealFifo],
    ['a/c', (r) => r.vsBound, fixed(3), spread.vsBound],
    ['events/video mean', (r) => r.orchestration.eventsPerVideo.mean, fixed(1), spread.eventsPerVideoMean],
    ['events/video max', (r) => r.orchestration.eventsPerVideo.max, fixed(0), spread.eventsPerVideoMax],
    ['signals/video', (r) => r.orchestration.signalsPerVideo, fixed(2), spread.signalsPerVideo],
    ['worker CPU-s/video', (r) => r.orchestration.workerCpuSecPerVideo, fixed(3), spread.workerCpuSecPerVideo],
    ['server CPU-s/video', (r) => r.orchestration.serverCpuSecPerVideo, fixed(3), spread.serverCpuSecPerVideo],
    ['(worker+server)/SDK CPU', (r) => r.cpuVsSdk, fixed(2), spread.cpuVsSdk],
    ['workflow tasks/video', (r) => r.orchestration.server?.workflowTasksPerVideo ?? NaN, fixed(2), undefined],
    ['server RPCs/video', (r) => r.orchestration.server?.rpcsPerVideo ?? NaN, fixed(1), undefined],
  ];
  return [
    {
      title: `Makespan rounds (ABBA: a = this project, b = official SDK, same seed each; targets on the median: a/b ≤ ${TARGETS.makespanVsSdk}, a/ideal FIFO ≤ ${TARGETS.makespanVsIdealFifo})`,
      rows: [
        ['round', 'order', ...columns.map(([name]) => name)],
        ...perRound.map((r) => [
          String(r.round),
          r.order.map((c) => (c === 'product' ? 'a' : 'b')).join(''),
          ...columns.map(([, pick, text]) => text(pick(r))),
        ]),
        [
          'median (min–max)',
          '',
          ...columns.map(([, pick, text, value]) => {
            if (!value) {
              const values = perRound.map(pick);
              return `${text(median(values))} (${text(Math.min(...values))}–${text(Math.max(...values))})`;
            }
            return `${text(value.median)} (${text(value.min)}–${text(value.max)})`;
          }),
        ],
      ],
    },
  ];
}

/** Temporal's own floor per round, and the product's figures beside it when the same run measured them. */
function floorSection(floor: FloorReport, makespan: MakespanReport | undefined): ReportSection {
  const productSpread = makespan?.spread;
  const perRound = makespan?.perRound;
  const product = (value: Spread | undefined, digits: number) => (value ? formatSpread(value, digits) : '');
  const productMedian = (pick: (round: MakespanRound) => number | undefined, digits: number) => {
    const values = (perRound ?? []).map(pick).filter((value): value is number => value !== undefined);
    return values.length > 0 ? median(values).toFixed(digits) : '';
  };
  return {
    title: `Temporal's floor for the makespan workload (bench/floor/workflows.ts: a parent, one child per variant, one activity each, the cap a worker's slots), ${floor.rounds.length} rounds against the SDK loop; median (min–max)`,
    rows: [
      ['', 'floor', 'this project (makespan rounds)'],
      ['(worker+server)/SDK CPU', formatSpread(floor.cpuVsSdk, 2), product(productSpread?.cpuVsSdk, 2)],
      ['worker CPU-s/video', formatSpread(floor.workerCpuSecPerVideo, 3), product(productSpread?.workerCpuSecPerVideo, 3)],
      ['server CPU-s/video', formatSpread(floor.serverCpuSecPerVideo, 3), product(productSpread?.serverCpuSecPerVideo, 3)],
      [
        'SDK loop CPU-s/video (same rounds)',
        formatSpread(floor.sdkCpuSecPerVideo, 4),
        productMedian((r) => r.sdkCpuSec / floor.variants, 4),
      ],
      [
        'workflow tasks/video',
        formatSpread(floor.workflowTasksPerVideo, 2),
        productMedian((r) => r.orchestration.server?.workflowTasksPerVideo, 2),
      ],
      ['server RPCs/video', formatSpread(floor.rpcsPerVideo, 1), productMedian((r) => r.orchestration.server?.rpcsPerVideo, 1)],
      [
        'state writes/video',
        formatSpread(floor.stateWritesPerVideo, 1),
        productMedian((r) => r.orchestration.server?.stateWritesPerVideo, 1),
      ],
      ['makespan / ideal FIFO', product(floor.floorVsIdealFifo, 3), product(productSpread?.vsIdealFifo, 3)],
      ['makespan (s) floor / SDK', floor.rounds.map((r) => `${r.floorSec} / ${r.sdkSec}`).join(', '), ''],
    ],
  };
}

function archiveSection(cases: ArchiveCase[]): ReportSection {
  return {
    title: `Archive path: activities/archive.ts (MockActivityEnvironment) vs raw undici → lib-storage pipe (after a warm-up, median of ${cases.map((entry) => `${entry.raw.runs.length} pairs at ${entry.label}`).join(', ')})`,
    rows: [
      ['output', 'activity MB/s', 'raw MB/s', 'ratio (median of pairs)', 'activity RSS +MB', 'raw RSS +MB'],
      ...cases.map((entry) => [
        entry.label,
        entry.archive.mbPerSec.toFixed(1),
        entry.raw.mbPerSec.toFixed(1),
        entry.throughputRatio.toFixed(3),
        entry.archive.rssIncreaseMb.toFixed(1),
        entry.raw.rssIncreaseMb.toFixed(1),
      ]),
    ],
  };
}

function assemblySection(assembly: AssemblyBench): ReportSection {
  const seconds = (value: Spread) => `${formatSpread(value, 3)} s`;
  return {
    title: `Explainer assembly: ${assembly.example} (${assembly.chunks} chunks, ${assembly.videoSeconds} s of video), median (min–max) of ${assembly.ratio.values.length} rounds`,
    rows: [
      ['', 'wall time'],
      ['assembly activity (download, probe, concat, mux with loudness, verify, upload)', seconds(assembly.activity)],
      ['bare ffmpeg concat + mux of the same local files', seconds(assembly.bare)],
      ['ratio (per round)', `${formatSpread(assembly.ratio, 3)} (target ≤ ${assembly.target})`],
      ...Object.entries(assembly.phases ?? {}).map(([phase, value]) => [`  activity phase: ${phase}`, `${value.toFixed(3)} s`]),
      ...(assembly.packaging
        ? [
            [
              'SCORM package activity after it (download the MP4, zip, upload; its own activity, not in the ratio)',
              seconds(assembly.packaging),
            ],
          ]
        : []),
      ...(assembly.measuring
        ? [
            [
              'loudness measure of one voiceover, once archived (its own activity, while clips are made; not in the ratio)',
              seconds(assembly.measuring),
            ],
          ]
        : []),
    ],
  };
}

function scaleSection(scale: ScaleProbe): ReportSection {
  const rows = [
    ['', 'value'],
    [
      'result',
      scale.completed
        ? `${scale.archived} archived, ${scale.failed} failed in ${scale.seconds} s${scale.runs !== undefined ? ` over ${scale.runs} run${scale.runs === 1 ? '' : 's'} (continue-as-new), at most ${scale.maxOpen ?? '?'} children open` : ''}`
        : `FAILED after ${scale.seconds} s: ${scale.error ?? ''}`,
    ],
    ['THROTTLED', String(scale.throttled)],
  ];
  if (scale.clientStartSeconds !== undefined) rows.push(['client: validate + plan + start (not timed)', `${scale.clientStartSeconds} s`]);
  if (scale.throughputVideosPerSec !== undefined)
    rows.push([
      'orchestration throughput',
      `${scale.throughputVideosPerSec.toFixed(2)} videos/s (target ≥ ${TARGETS.scaleThroughputVideosPerSec})`,
    ]);
  const cost = scale.orchestration;
  if (cost) {
    rows.push([
      `history events per video (${cost.videosRead} sampled children)`,
      `${cost.eventsPerVideo.mean} mean, ${cost.eventsPerVideo.max} max`,
    ]);
    rows.push([
      'signals per video',
      `${cost.signalsPerVideo} (children ${cost.signals.perVideoRead} each; pool ${cost.signals.pool} and campaign ${cost.signals.parent} in all)`,
    ]);
    rows.push([
      'CPU-s per video: worker / Temporal server',
      `${cost.workerCpuSecPerVideo.toFixed(3)} / ${cost.serverCpuSecPerVideo.toFixed(3)} (${cost.workerCpuSec} / ${cost.serverCpuSec} s in all)`,
    ]);
    for (const [label, value] of serverWorkRows(cost.server)) rows.push([label!, value!]);
  }
  for (const [index, run] of (scale.parentRuns ?? []).entries())
    rows.push([
      `campaign run ${index + 1}`,
      `${run.events} events (${pct(run.events, TEMPORAL_LIMITS.historyEvents)} of 51,200), ${kb(run.bytes)}, ${run.signalsReceived} signals received (${pct(run.signalsReceived, TEMPORAL_LIMITS.signalsPerExecution)} of 10,000), ${run.signalsSent} sent`,
    ]);
  if (scale.rss) {
    const rss = scale.rss;
    rows.push([
      `worker RSS (every ${rss.intervalMs / 1000} s)`,
      `start ${rss.startMb} MB, peak ${rss.peakMb} MB, end ${rss.endMb} MB; second-half slope of the floor ${rss.secondHalfFloorSlopeMbPerMin ?? '—'} MB/min (${rss.flat ? 'flat' : 'NOT flat'}: < ${rss.flatThresholdMbPerMin}), of every sample ${rss.secondHalfSlopeMbPerMin} MB/min`,
    ]);
  }
  if (scale.parent) {
    rows.push(['campaign history', `${scale.parent.events} events, ${kb(scale.parent.bytes)}, ${scale.parent.signalsReceived} signals`]);
    rows.push(['video history events (sample)', (scale.childEventsSample ?? []).join(', ')]);
  }
  for (const limit of scale.limits ?? [])
    rows.push([`limit: ${limit.factor}`, `${limit.perVariant} per variant → ≤ ${limit.maxVariants} variants`]);
  if (scale.ceiling) rows.push(['ceiling of one campaign', `${scale.ceiling.maxVariants} variants (${scale.ceiling.factor})`]);
  return {
    title: `Scale probe: ${scale.variants} variants, timeScale ${scale.simulator.timeScale}, poll ${scale.options.pollInterval} ms`,
    rows,
  };
}

function pct(value: number, limit: number): string {
  return `${((value / limit) * 100).toFixed(1)} %`;
}

function prioritySection(report: PriorityReport): ReportSection {
  const spread3 = (value: Spread) => formatSpread(value, 2);
  return {
    title: `Priorities and fairness (${PRIORITY_WORKLOAD}; ${report.rounds.length} rounds, median (min–max) of each round's figure)`,
    rows: [
      ['figure', 'measured', 'what it is'],
      [
        `reject → regeneration POST, p50 / p95`,
        `${spread3(report.rejectWaitP50Sec)} s / ${spread3(report.rejectWaitP95Sec)} s`,
        `${report.rejectsPerRound} rejects a round while a ${report.backlogVariants}-variant campaign holds cap ${report.cap}`,
      ],
      [
        'its slot among those freed after the reject, p50 / p95',
        `${spread3(report.slotsFreedP50)} / ${spread3(report.slotsFreedP95)}`,
        '1 = the next slot freed went to it, n = n − 1 freed slots went to the campaign first (the k-th task end frees the slot of the (k + cap)-th POST)',
      ],
      [
        'its handoff: that slot’s end → its POST, p50 / p95',
        `${spread3(report.rejectHandoffP50Sec)} s / ${spread3(report.rejectHandoffP95Sec)} s`,
        `the campaign’s own handoffs over the same minutes: ${spread3(report.campaignHandoffP50Sec)} s / ${spread3(report.campaignHandoffP95Sec)} s (poll overshoot plus orchestration)`,
      ],
      [
        'campaign tasks that ended between the reject and the POST, p50 / p95',
        `${spread3(report.tasksEndedP50)} / ${spread3(report.tasksEndedP95)}`,
        'whoever got their slots: counts the ends during its own handoff too',
      ],
      [
        'two campaigns together: A’s share',
        `${formatSpread({ ...report.fairShareA, median: report.fairShareA.median * 100, min: report.fairShareA.min * 100, max: report.fairShareA.max * 100, values: report.fairShareA.values.map((v) => v * 100) }, 1)} %`,
        `of the POSTs while both submitted (${report.fairVariantsEach} variants each; target 50 ± 10 %)`,
      ],
      [
        'makespan cost of yielding',
        `${spread3(report.yieldCostSec)} s (${formatSpread(report.yieldCostPct, 1)} %)`,
        `a ${report.yieldVariants}-variant campaign with ${report.interactivePerRound} interactive generations cutting in, vs alone; their share of the cap: ${spread3(report.yieldIdealSec)} s`,
      ],
    ],
  };
}

function targetsSection(results: BenchResults): ReportSection {
  return {
    title: 'Targets',
    rows: [
      ['target', 'wanted', 'measured', ''],
      ...results.targets.map((check) => [check.name, check.target, check.measured, check.met ? 'met' : 'MISSED']),
    ],
  };
}

function kb(bytes: number | undefined): string {
  return bytes === undefined ? '? KB' : `${Math.round(bytes / 1024)} KB`;
}

/** What the server counted per video (its `/metrics`): the round-trips and the database work behind them, by kind. */
function serverWorkRows(server: ServerWork | undefined): string[][] {
  if (!server) return [];
  const busiest = Object.entries(server.rpcs)
    .slice(0, 6)
    .map(([operation, value]) => `${operation} ${value}`)
    .join(', ');
  return [
    [
      'server work per video (last round, its /metrics)',
      `${server.rpcsPerVideo} RPCs, ${server.workflowTasksPerVideo} workflow tasks, ${server.signalsPerVideo} signals; ${server.persistenceOpsPerVideo} persistence ops of which ${server.stateWritesPerVideo} state writes`,
      '—',
      '',
    ],
    ['RPCs per video by kind', busiest, '—', ''],
  ];
}
