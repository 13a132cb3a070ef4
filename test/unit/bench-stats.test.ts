import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResults } from '../../bench/bench-results';
import { reportSections } from '../../bench/report-sections';
import { DEFAULT_ARGS, isPartialRun, parseBenchArgs } from '../../bench/bench-args';
import type { MakespanReport } from '../../bench/makespan-bench';
import type { PriorityReport } from '../../bench/priority-bench';
import type { ScaleProbe } from '../../bench/scale-probe';
import { STORED_RSS_SAMPLES, abbaOrder, formatSpread, linearSlope, median, rssTrend, spread } from '../../bench/stats';
import { checkTargets } from '../../bench/target-checks';

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  it('reports the median with min and max, and shows the spread only for more than one round', () => {
    const value = spread([1.01, 0.95, 0.99]);
    expect(value).toEqual({ median: 0.99, min: 0.95, max: 1.01, values: [1.01, 0.95, 0.99] });
    expect(formatSpread(value)).toBe('0.990 (0.950–1.010)');
    expect(formatSpread(spread([0.96]))).toBe('0.960');
  });
});

describe('ABBA order', () => {
  it('runs this project first in odd rounds and the SDK first in even ones', () => {
    expect([1, 2, 3, 4].map(abbaOrder)).toEqual([
      ['product', 'sdk'],
      ['sdk', 'product'],
      ['product', 'sdk'],
      ['sdk', 'product'],
    ]);
  });

  it('runs three rounds, every section and 10,000 scale variants by default; anything less is partial', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULT_ARGS);
    expect(DEFAULT_ARGS).toMatchObject({ rounds: 3, scaleVariants: 10_000, variants: 100 });
    expect(isPartialRun(parseBenchArgs([]))).toBe(false);
    const small = parseBenchArgs(['--sections', 'scale', '--scale-variants', '300']);
    expect(small).toMatchObject({ sections: ['scale'], scaleVariants: 300 });
    expect(isPartialRun(small)).toBe(true);
    expect(isPartialRun(parseBenchArgs(['--rounds', '1']))).toBe(true);
    expect(parseBenchArgs(['--only', 'makespan']).sections).toEqual(['makespan']);
    expect(() => parseBenchArgs(['--sections', 'nope'])).toThrow(/--sections takes/);
  });
});

describe('RSS trend', () => {
  it('fits a least-squares slope', () => {
    expect(
      linearSlope([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
    ).toBeCloseTo(2, 10);
    expect(linearSlope([[5, 1]])).toBe(0);
  });

  it('is flat when the second half does not grow, whatever the first half did', () => {
    // Grows 100 MB over the first 10 minutes (the cache filling), then a ±20 MB sawtooth around 600 MB.
    const samples: Array<[number, number]> = [];
    for (let seconds = 0; seconds <= 1200; seconds += 5)
      samples.push([seconds, seconds < 600 ? 500 + seconds / 6 : 600 + (seconds % 60 < 30 ? 20 : -20)]);
    const trend = rssTrend(samples, 5000);
    expect(trend).toMatchObject({ startMb: 500, peakMb: 620, flat: true });
    expect(Math.abs(trend.secondHalfSlopeMbPerMin)).toBeLessThan(trend.flatThresholdMbPerMin);
  });

  it('judges the floor, not where the run ends in the sawtooth of GC', () => {
    // Flat at 800 MB, but the run ends two minutes into a collection's ramp to 2 GB: the raw slope says growth.
    const samples: Array<[number, number]> = [];
    for (let seconds = 0; seconds <= 1800; seconds += 2)
      samples.push([seconds, seconds < 1680 ? 800 + (seconds % 10 === 0 ? 10 : 0) : 800 + (seconds - 1680) * 10]);
    const trend = rssTrend(samples, 2000);
    expect(trend.secondHalfSlopeMbPerMin).toBeGreaterThan(trend.flatThresholdMbPerMin);
    expect(Math.abs(trend.secondHalfFloorSlopeMbPerMin)).toBeLessThan(trend.flatThresholdMbPerMin);
    expect(trend.flat).toBe(true);
  });

  it('is not flat when the second half keeps growing', () => {
    // 3 MB a minute throughout.
    const samples: Array<[number, number]> = Array.from({ length: 241 }, (_, index) => [index * 5, 400 + (index * 5 * 3) / 60]);
    const trend = rssTrend(samples, 5000);
    expect(trend.secondHalfSlopeMbPerMin).toBeCloseTo(3, 5);
    // A leak raises the floor as fast: every collection comes back to a higher level.
    expect(trend.secondHalfFloorSlopeMbPerMin).toBeGreaterThan(2.5);
    expect(trend.flat).toBe(false);
    expect(trend.endMb).toBe(460);
    // The results file keeps a thinned timeline; the slope above used every sample.
    const long = rssTrend(
      Array.from({ length: 3600 }, (_, index) => [index * 2, 500] as [number, number]),
      2000,
    );
    expect(long.samples).toHaveLength(STORED_RSS_SAMPLES);
    expect(long.samples[STORED_RSS_SAMPLES - 1]).toEqual([7198, 500]);
  });
});

describe('target checks', () => {
  const byName = (checks: ReturnType<typeof checkTargets>, name: string) => {
    const found = checks.find((check) => check.name.startsWith(name));
    if (!found) throw new Error(`no check ${name} in ${checks.map((check) => check.name).join(', ')}`);
    return found;
  };

  function makespan(vsSdk: number[], vsIdealFifo: number[], cpuVsSdk: number[], eventsMean: number[]): MakespanReport {
    return {
      makespan_vs_sdk_ratio: spread(vsSdk).median,
      makespan_vs_ideal_fifo_ratio: spread(vsIdealFifo).median,
      makespan_vs_bound_ratio: 1.1,
      product: { throttled: 0, getsPerVideo: 7, getsBudgetPerVideo: 8 },
      spread: {
        vsSdk: spread(vsSdk),
        vsIdealFifo: spread(vsIdealFifo),
        vsBound: spread([1.1]),
        cpuVsSdk: spread(cpuVsSdk),
        eventsPerVideoMean: spread(eventsMean),
        eventsPerVideoMax: spread(eventsMean),
        signalsPerVideo: spread([5]),
        workerCpuSecPerVideo: spread([0.1]),
        serverCpuSecPerVideo: spread([0.2]),
      },
    } as unknown as MakespanReport;
  }

  it('checks the makespan targets on the median, so one bad round neither makes nor breaks them', () => {
    const checks = checkTargets(makespan([0.96, 1.05, 0.965], [1.01, 1.08, 1.015], [4.5, 9, 4.8], [38, 39, 45]), undefined, undefined);
    expect(byName(checks, 'makespan / SDK')).toMatchObject({ met: true, measured: '0.965 (0.960–1.050)' });
    expect(byName(checks, 'makespan / ideal FIFO')).toMatchObject({ met: true });
    expect(byName(checks, '(worker + server CPU)')).toMatchObject({ met: true });
    expect(byName(checks, 'history events per video')).toMatchObject({ met: true });

    const missed = checkTargets(makespan([0.96, 0.98, 0.99], [1.0, 1.03, 1.04], [5.1, 4, 6], [41, 41, 30]), undefined, undefined);
    expect(byName(missed, 'makespan / SDK').met).toBe(false);
    expect(byName(missed, 'makespan / ideal FIFO').met).toBe(false);
    expect(byName(missed, '(worker + server CPU)').met).toBe(false);
    expect(byName(missed, 'history events per video').met).toBe(false);
  });

  it('checks the priority targets: the next slot freed, a handoff no slower than the campaign’s, shares 50 ± 10 %', () => {
    const priority = (slotsP95: number[], handoffP95: number[], share: number[]) =>
      ({
        slotsFreedP95: spread(slotsP95),
        rejectHandoffP95Sec: spread(handoffP95),
        campaignHandoffP95Sec: spread([0.5, 0.5, 0.5]),
        fairShareA: spread(share),
      }) as unknown as PriorityReport;
    const met = checkTargets(undefined, undefined, undefined, undefined, priority([1, 2, 1], [0.4, 0.6, 0.5], [0.49, 0.5, 0.51]));
    expect(met.map((check) => check.met)).toEqual([true, true, true]);
    const missed = checkTargets(undefined, undefined, undefined, undefined, priority([2, 2, 1], [0.6, 0.7, 0.5], [0.38, 0.39, 0.4]));
    expect(byName(missed, 'regeneration: its slot').met).toBe(false);
    expect(byName(missed, "regeneration's handoff").met).toBe(false);
    expect(byName(missed, 'two campaigns').met).toBe(false);
  });

  it('reads a results file from before per-round figures (no spread) with the ratios it has', () => {
    const old = { ...makespan([0.959], [1.044], [11], [54]), spread: undefined } as MakespanReport;
    const checks = checkTargets(old, undefined, undefined);
    expect(byName(checks, 'makespan / SDK')).toMatchObject({ measured: '0.959', met: true });
    expect(checks.some((check) => check.name.startsWith('(worker + server CPU)'))).toBe(false);
  });

  it('checks the scale probe: completed with all archived, no THROTTLED, throughput and a flat RSS', () => {
    const flat = rssTrend(
      Array.from({ length: 100 }, (_, index) => [index * 2, 600] as [number, number]),
      2000,
    );
    const probe = {
      variants: 10_000,
      completed: true,
      seconds: 1800,
      archived: 10_000,
      failed: 0,
      throttled: 0,
      throughputVideosPerSec: 5.56,
      rss: flat,
    } as ScaleProbe;
    expect(checkTargets(undefined, undefined, probe).every((check) => check.met)).toBe(true);
    const slow = checkTargets(undefined, undefined, { ...probe, archived: 9_999, throttled: 2, throughputVideosPerSec: 2.6 });
    expect(slow.filter((check) => !check.met).map((check) => check.name)).toEqual([
      '10000-variant campaign completes, all archived',
      'scale probe THROTTLED tasks',
      'scale probe orchestration throughput',
    ]);
  });
});

describe('the floor section of the report', () => {
  const read = (name: string) => JSON.parse(readFileSync(path.resolve(__dirname, '../../bench/results', name), 'utf8')) as BenchResults;

  it('puts Temporal’s floor beside the product’s figures of the same run', () => {
    const section = reportSections(read('2026-12-01-floor-2.json')).find((entry) => entry.title.startsWith("Temporal's floor"));
    const row = (name: string) => section?.rows.find((cells) => cells[0] === name);
    expect(row('(worker+server)/SDK CPU')).toEqual(['(worker+server)/SDK CPU', '3.58 (3.40–3.83)', '8.09 (7.75–8.77)']);
    expect(row('makespan / ideal FIFO')).toEqual(['makespan / ideal FIFO', '1.086 (1.072–1.132)', '1.022 (1.017–1.064)']);
  });

  it('renders the first floor file, which has no makespan / ideal FIFO for the floor', () => {
    const section = reportSections(read('2026-12-01-floor.json')).find((entry) => entry.title.startsWith("Temporal's floor"));
    expect(section?.rows.find((cells) => cells[0] === 'makespan / ideal FIFO')?.[1]).toBe('');
  });
});
