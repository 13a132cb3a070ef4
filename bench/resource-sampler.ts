import { childProcessCpuSeconds, cpuDelta } from './child-process-cpu';
import { rssTrend, type RssTrend } from './stats';

/** CPU time and memory of this process over a measured stretch. */
export interface ResourceUsage {
  /** User + system CPU of the whole process (the Temporal core's Rust threads included). */
  cpuSeconds: number;
  baselineRssMb: number;
  peakRssMb: number;
  peakRssIncreaseMb: number;
  /** CPU seconds of the stack's services (Temporal server, simulator, S3) over the same stretch. */
  servicesCpuSeconds: Record<string, number>;
}

export interface ResourceSampler {
  stop(): ResourceUsage;
}

const MB = 1024 * 1024;

/** Samples process.memoryUsage().rss every `intervalMs` (100 ms) until stop(); CPU from process.cpuUsage(). */
export function startResourceSampler(intervalMs = 100): ResourceSampler {
  const cpuBefore = process.cpuUsage();
  const servicesBefore = childProcessCpuSeconds();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const cpu = process.cpuUsage(cpuBefore);
      return {
        cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
        baselineRssMb: round(baselineRss / MB, 1),
        peakRssMb: round(peakRss / MB, 1),
        peakRssIncreaseMb: round((peakRss - baselineRss) / MB, 1),
        servicesCpuSeconds: cpuDelta(servicesBefore, childProcessCpuSeconds()),
      };
    },
  };
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** This process's RSS every `intervalMs` until stop(): the worker's memory over a long run. */
export function startRssTimeline(intervalMs: number): { stop(): RssTrend } {
  const startedAt = Date.now();
  const samples: Array<[number, number]> = [];
  const sample = () => samples.push([(Date.now() - startedAt) / 1000, process.memoryUsage().rss / MB]);
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return rssTrend(samples, intervalMs);
    },
  };
}
