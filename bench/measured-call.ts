import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { round, startResourceSampler } from './resource-sampler';

export interface MeasuredCall<T> {
  value: T;
  seconds: number;
  /** Peak RSS over the call minus RSS at its start, MB (sampled every 50 ms). */
  rssIncreaseMb: number;
}

setFlagsFromString('--expose-gc');
/** A full GC before each measured call, so one call's garbage does not count against the next. */
const collectGarbage = runInNewContext('gc') as (() => void) | undefined;

export async function measureCall<T>(call: () => Promise<T>): Promise<MeasuredCall<T>> {
  collectGarbage?.();
  const sampler = startResourceSampler(50);
  const startedAt = performance.now();
  const value = await call();
  const seconds = (performance.now() - startedAt) / 1000;
  const usage = sampler.stop();
  return { value, seconds: round(seconds, 3), rssIncreaseMb: usage.peakRssIncreaseMb };
}
