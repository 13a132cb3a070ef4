import { createHash, randomUUID } from 'node:crypto';
import { outputFrame } from './contract';
import type { SimulatorConfig } from './config';
import type { FaultInjector } from './faults';
import type { MediaLibrary, MediaVariant } from './media';
import { drawSeconds, hashUnit } from './rng';
import type { TaskFacts, TaskRecord } from './task';
import type { CreateRequest } from './validation';

export interface TaskFactoryDeps {
  config: SimulatorConfig;
  faults: FaultInjector;
  media: MediaLibrary;
  nowSim: number;
  /** How many times this (model, promptKey) was submitted before. */
  submissionIndex: (model: string, promptKey: string) => number;
}

/**
 * A new task record: its fate, stuckness and generation time are fixed now, from the seed and the
 * prompt (not from arrival order), so two clients submitting the same prompts see the same behaviour.
 */
export function buildTask(request: CreateRequest, deps: TaskFactoryDeps): TaskRecord {
  const facts = factsOf(request, deps.submissionIndex);
  const { fate, failWith, stuck, applied } = deps.faults.forNewTask(facts);
  const media = fate === 'succeed' ? neverRejects(outputFor(request, deps)) : Promise.resolve(new Error('this task produces no output'));
  return {
    ...facts,
    id: randomUUID(),
    ...(request.ratio !== undefined ? { ratio: request.ratio } : {}),
    ...(request.voice !== undefined ? { voice: request.voice } : {}),
    duration: request.duration,
    credits: request.credits,
    refunded: false,
    createdAt: new Date().toISOString(),
    createdSim: deps.nowSim,
    status: 'PENDING',
    history: [],
    generationSeconds: generationSecondsFor(facts, deps.config),
    fate,
    ...(failWith ? { failWith } : {}),
    stuck,
    faultsApplied: applied,
    holdsSlot: false,
    media,
    deleted: false,
    downloads: 0,
    urlsIssued: 0,
  };
}

/** A real MP4 of the clip's size and duration, or a real MP3 as long as the text takes to say. */
function outputFor(request: CreateRequest, deps: TaskFactoryDeps): Promise<MediaVariant> {
  if (request.endpoint === 'text_to_speech') return deps.media.speech(request.duration);
  const { width, height } = outputFrame(request.ratio);
  return deps.media.variant({ width, height, durationSeconds: request.duration }, deps.config.outputBytes);
}

function factsOf(request: CreateRequest, submissionIndex: TaskFactoryDeps['submissionIndex']): TaskFacts {
  const promptKey = request.promptText ?? `image:${digest(JSON.stringify(request.promptImage ?? null))}`;
  return {
    model: request.model,
    endpoint: request.endpoint,
    promptText: request.promptText,
    promptKey,
    submissionIndex: submissionIndex(request.model, promptKey),
  };
}

function generationSecondsFor(facts: TaskFacts, config: SimulatorConfig): number {
  const key = [config.seed, facts.model, facts.promptKey, facts.submissionIndex];
  const seconds = drawSeconds(config.generationSeconds, hashUnit('generation-a', ...key), hashUnit('generation-b', ...key));
  return Math.round(seconds * 1000) / 1000;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function neverRejects(pending: Promise<MediaVariant>): Promise<MediaVariant | Error> {
  return pending.catch((error: unknown) => {
    console.error('simulator: could not make output media:', error);
    return error instanceof Error ? error : new Error(String(error));
  });
}
