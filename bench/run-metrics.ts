import { round } from './resource-sampler';
import type { SimulatorSnapshot } from '../simulator/state';
import type { AdminTaskView } from '../simulator/task-view';

/** A Runway task as the simulator recorded it: from creation (slot taken) to its terminal status. */
export interface TaskSpan {
  promptText: string;
  createdMs: number;
  finishedMs: number;
  /** The configured draw, simulated seconds (RUNNING time). */
  generationSeconds: number;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function taskSpans(sim: SimulatorSnapshot): TaskSpan[] {
  return sim.tasks.flatMap((task) => {
    const span = spanOf(task);
    return span ? [span] : [];
  });
}

function spanOf(task: AdminTaskView): TaskSpan | undefined {
  const first = task.history[0];
  const last = [...task.history].reverse().find((change) => TERMINAL.has(change.status));
  if (!first || !last) return undefined;
  return {
    promptText: task.promptText ?? '',
    createdMs: Date.parse(first.at),
    finishedMs: Date.parse(last.at),
    generationSeconds: task.generationSeconds,
  };
}

/** Real seconds each task held a Runway slot (PENDING + RUNNING), in submission order. */
export function heldSeconds(spans: readonly TaskSpan[]): number[] {
  return [...spans].sort((a, b) => a.createdMs - b.createdMs).map((span) => (span.finishedMs - span.createdMs) / 1000);
}

/**
 * Share of the cap doing work while variants were waiting for a slot: from the first submission to the
 * last one, the slot-seconds held by Runway tasks over cap × that window.
 */
export function backlogUtilisation(spans: readonly TaskSpan[], cap: number): { utilisation: number; windowSec: number } {
  const start = Math.min(...spans.map((span) => span.createdMs));
  const end = Math.max(...spans.map((span) => span.createdMs));
  if (end <= start) return { utilisation: 1, windowSec: 0 };
  const held = spans.reduce((sum, span) => sum + Math.max(0, Math.min(span.finishedMs, end) - Math.max(span.createdMs, start)), 0);
  return { utilisation: round(held / (cap * (end - start)), 4), windowSec: round((end - start) / 1000, 2) };
}

/**
 * Mean idle time of a slot between a Runway task ending and the next submission: the k-th task end frees
 * the slot the (k + cap)-th submission takes. Poll overshoot plus orchestration handoff.
 */
export function meanHandoffSec(spans: readonly TaskSpan[], cap: number): number {
  const finishes = spans.map((span) => span.finishedMs).sort((a, b) => a - b);
  const creations = spans.map((span) => span.createdMs).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let k = 0; k + cap < creations.length; k++) gaps.push((creations[k + cap] ?? 0) - (finishes[k] ?? 0));
  return gaps.length === 0 ? 0 : round(gaps.reduce((a, b) => a + b, 0) / gaps.length / 1000, 3);
}

/** Runway GETs per video against ceil(t / poll) + 2, t being the video's time in a slot. */
export function getsPerVideo(
  sim: SimulatorSnapshot,
  spans: readonly TaskSpan[],
  pollIntervalMs: number,
): { actual: number; budget: number } {
  const budget = spans.reduce((sum, span) => sum + Math.ceil((span.finishedMs - span.createdMs) / pollIntervalMs) + 2, 0);
  return { actual: round(sim.gets / spans.length, 2), budget: round(budget / spans.length, 2) };
}
