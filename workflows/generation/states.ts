import type { GenerationError, GenerationResult, GenerationState } from '../../schemas';
import { GENERATION_STATES } from '../../schemas/generation-values';
import type { GenerationStateUpdate } from '../messages';

/** One generation as its workload's progress shows it. */
export interface GenerationView {
  key: string;
  state: GenerationState;
  runwayTaskId?: string;
  submissions?: number;
  error?: string;
}

/** A count for every state, zero included: what a workload's progress query answers. */
export function countStates(states: Iterable<GenerationState>): Record<GenerationState, number> {
  const counts = Object.fromEntries(GENERATION_STATES.map((state) => [state, 0])) as Record<GenerationState, number>;
  for (const state of states) counts[state] += 1;
  return counts;
}

/**
 * The states of a workload's generations, by key, as their state signals and ends report them. Every
 * generation the workload plans is 'waiting' until told otherwise; an archived or failed one stays so.
 */
export class GenerationStates {
  private readonly views = new Map<string, GenerationView>();

  constructor(keys: Iterable<string>) {
    for (const key of keys) this.views.set(key, { key, state: 'waiting' });
  }

  /** A generation the workload plans after it started (a review round's): 'waiting' until told otherwise. */
  track(key: string): void {
    if (!this.views.has(key)) this.views.set(key, { key, state: 'waiting' });
  }

  /** The handler of the generation state signal. */
  onState(update: GenerationStateUpdate): void {
    const view = this.views.get(update.generationKey);
    if (!view || view.state === 'archived' || view.state === 'failed') return;
    view.state = update.state;
    if (update.runwayTaskId !== undefined) view.runwayTaskId = update.runwayTaskId;
    if (update.submissions !== undefined) view.submissions = update.submissions;
  }

  /** The generation ended: its final state, its task and submissions, or its error. */
  finish(key: string, end: { state: GenerationState; result?: GenerationResult; error?: GenerationError }): void {
    const view = this.views.get(key);
    if (!view) return;
    view.state = end.state;
    if (end.result) {
      view.runwayTaskId = end.result.runwayTaskId;
      view.submissions = end.result.submissions;
    }
    if (end.error) view.error = `${end.error.type}: ${end.error.message}`;
  }

  stateOf(key: string): GenerationState | undefined {
    return this.views.get(key)?.state;
  }

  get total(): number {
    return this.views.size;
  }

  /** Generations that have ended archived or failed. */
  done(): number {
    let done = 0;
    for (const view of this.views.values()) if (view.state === 'archived' || view.state === 'failed') done += 1;
    return done;
  }
}
