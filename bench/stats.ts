/**
 * The bench's pure arithmetic: medians with their spread over rounds, the ABBA order of the contenders,
 * and the trend of a memory timeline. No I/O, so test/unit covers it without a stack.
 */

/** A figure over repeated rounds: the median (what targets are checked on) and the min–max spread. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function spread(values: readonly number[], digits = 4): Spread {
  const factor = 10 ** digits;
  const rounded = (value: number) => Math.round(value * factor) / factor;
  return {
    median: rounded(median(values)),
    min: rounded(Math.min(...values)),
    max: rounded(Math.max(...values)),
    values: values.map(rounded),
  };
}

/** "1.012 (0.998–1.030)": the median and, with more than one round, the spread. */
export function formatSpread(value: Spread, digits = 3): string {
  const text = (number: number) => number.toFixed(digits);
  return value.values.length > 1 ? `${text(value.median)} (${text(value.min)}–${text(value.max)})` : text(value.median);
}

export type Contender = 'product' | 'sdk';

/**
 * ABBA: odd rounds run this project first, even rounds the SDK first, so a drift of the machine over the
 * run (load from other processes, a warming disk cache) weighs on both contenders alike.
 */
export function abbaOrder(round: number): [Contender, Contender] {
  return round % 2 === 1 ? ['product', 'sdk'] : ['sdk', 'product'];
}

/** Least-squares slope of y over x (0 with fewer than two distinct x). */
export function linearSlope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

/**
 * RSS is "flat" when the slope of its floor over the second half of the run stays under this. The first
 * half is left out: the workflow cache and V8's heap grow to their working size there. 2 MB/min is 120 MB
 * an hour; a leak of 7 KB per video at 5 videos/s crosses it.
 */
export const RSS_FLAT_MB_PER_MIN = 2;

/**
 * The floor is the least RSS within this much of each sample. V8 lets garbage pile up for a minute or two
 * before a full collection (ramps of +1.3 GB were seen), so a raw slope depends on where the run happens to
 * end in that sawtooth; what a leak raises is the level each collection comes back down to.
 */
export const RSS_FLOOR_WINDOW_S = 300;

export interface RssTrend {
  intervalMs: number;
  /** [seconds since the start, RSS MB]: at most STORED_RSS_SAMPLES of them, evenly thinned (the figures use every sample). */
  samples: Array<[number, number]>;
  startMb: number;
  peakMb: number;
  endMb: number;
  /** Least-squares slope over the samples of the second half, MB per minute (GC's sawtooth included). */
  secondHalfSlopeMbPerMin: number;
  /** The same over the floor (the least RSS within RSS_FLOOR_WINDOW_S / 2 of each sample): what `flat` is judged on. */
  secondHalfFloorSlopeMbPerMin: number;
  flatThresholdMbPerMin: number;
  flat: boolean;
}

/** A two-hour probe sampled every 2 s would write 3,600 pairs into the results file; this many show the shape. */
export const STORED_RSS_SAMPLES = 240;

export function rssTrend(samples: ReadonlyArray<[number, number]>, intervalMs: number, thresholdMbPerMin = RSS_FLAT_MB_PER_MIN): RssTrend {
  if (samples.length === 0) throw new Error('no RSS samples');
  const end = samples[samples.length - 1]![0];
  const secondHalf = samples.filter(([seconds]) => seconds >= end / 2);
  const slope = Math.round(linearSlope(secondHalf) * 60 * 100) / 100;
  const floor = secondHalf.map(([seconds]): [number, number] => [
    seconds,
    Math.min(...samples.filter(([other]) => Math.abs(other - seconds) <= RSS_FLOOR_WINDOW_S / 2).map(([, mb]) => mb)),
  ]);
  const floorSlope = Math.round(linearSlope(floor) * 60 * 100) / 100;
  return {
    intervalMs,
    samples: thinned(samples, STORED_RSS_SAMPLES).map(([seconds, mb]) => [Math.round(seconds * 10) / 10, Math.round(mb * 10) / 10]),
    startMb: Math.round(samples[0]![1] * 10) / 10,
    peakMb: Math.round(Math.max(...samples.map(([, mb]) => mb)) * 10) / 10,
    endMb: Math.round(samples[samples.length - 1]![1] * 10) / 10,
    secondHalfSlopeMbPerMin: slope,
    secondHalfFloorSlopeMbPerMin: floorSlope,
    flatThresholdMbPerMin: thresholdMbPerMin,
    flat: floorSlope < thresholdMbPerMin,
  };
}

/** At most `count` items, evenly spaced, the first and last always kept. */
export function thinned<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, index) => items[Math.round((index * (items.length - 1)) / (count - 1))]!);
}
