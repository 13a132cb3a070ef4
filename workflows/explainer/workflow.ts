import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  setHandler,
  setWorkflowOptions,
} from '@temporalio/workflow';
import {
  FailureType,
  explainerWorkflowInputSchema,
  type ExplainerProgress,
  type ExplainerResult,
  type ChunkGeneration,
  type ExplainerChunkFailure,
  type ExplainerStage,
  type ExplainerWorkflowInput,
  type GenerationError,
  type GenerationResult,
  type ResolvedGenerationRequest,
} from '../../schemas';
import type { AssembledExplainer } from '../../schemas/assembly';
import { assemblyActivities } from '../activity-stubs';
import { creditRequestSignal, explainerProgressQuery, generationStateSignal } from '../messages';
import { billedByFailure, generationError, generationParent, startAndAwait } from '../generation/children';
import { CreditBook } from '../generation/credit-book';
import { GenerationStates } from '../generation/states';
import { checkWorkspaceFirst } from '../generation/workspace-check';
import { chunkGenerationKey, chunkWorkflowId } from './ids';
import { DEFAULT_PRIORITY } from '../../schemas/priority';
import { withWebhook } from '../delivery/announce';
import { versioned } from '../versioning';

type Input = ReturnType<typeof explainerWorkflowInputSchema.parse>;
type Chunk = Input['chunks'][number];

interface Outcome {
  chunkId: string;
  generation: ChunkGeneration;
  result?: GenerationResult;
  error?: GenerationError;
}

// Pinned: an explainer may wait for its review and finishes on the code it started on; a release never has to replay it.
setWorkflowOptions(versioned('PINNED'), ExplainerWorkflow);

/**
 * A narrated explainer: a clip and a voiceover per chunk, all at once through the one
 * GenerationWorkflow (same lease cap, pre-screen, resubmission, archive), then the ffmpeg assembly
 * into one MP4 with WebVTT subtitles. A chunk whose clip or voiceover fails fails the explainer, naming
 * the chunk, and nothing is assembled. The other generations are left to finish rather than cancelled:
 * a running Runway task is billed even when DELETEd, and their archived outputs are reused (never billed
 * again) when the explainer is re-run with the failed chunk fixed.
 */
export async function ExplainerWorkflow(rawInput: ExplainerWorkflowInput): Promise<ExplainerResult> {
  // The webhook is read from the raw input: the body parses and validates it, and a parse failure is announced too.
  return withWebhook('explainer', rawInput.options.webhook, () => runExplainer(rawInput));
}

async function runExplainer(rawInput: ExplainerWorkflowInput): Promise<ExplainerResult> {
  const input = explainerWorkflowInputSchema.parse(rawInput);
  // Each chunk's clip and voiceover are generations of the explainer, keyed `<chunkId>--clip|voice`.
  const parent = generationParent(input.explainerId, input, DEFAULT_PRIORITY.explainer);
  const creditBook = new CreditBook({ budgetCredits: input.budgetCredits, workload: 'explainer' });
  const states = new GenerationStates(
    input.chunks.flatMap((chunk) => [chunkGenerationKey(chunk.chunkId, 'clip'), chunkGenerationKey(chunk.chunkId, 'voice')]),
  );
  let stage: ExplainerStage = 'generating';
  const errors = new Map<string, string>();

  setHandler(explainerProgressQuery, (): ExplainerProgress => {
    const stateOf = (chunkId: string, generation: ChunkGeneration) => states.stateOf(chunkGenerationKey(chunkId, generation)) ?? 'waiting';
    return {
      explainerId: input.explainerId,
      stage,
      chunks: input.chunks.map((chunk) => {
        const error = errors.get(chunk.chunkId);
        return {
          chunkId: chunk.chunkId,
          text: chunk.text,
          clip: stateOf(chunk.chunkId, 'clip'),
          voiceover: stateOf(chunk.chunkId, 'voice'),
          ...(error !== undefined ? { error } : {}),
        };
      }),
      done: states.done(),
      total: states.total,
      creditsSpent: creditBook.creditsSpent(),
    };
  });
  setHandler(generationStateSignal, (update) => {
    creditBook.onState(update);
    states.onState(update);
  });
  setHandler(creditRequestSignal, (request) => creditBook.onCreditRequest(request));

  const generate = async (chunk: Chunk, generation: ChunkGeneration): Promise<Outcome> => {
    const request: ResolvedGenerationRequest = generation === 'clip' ? chunk.clip.request : chunk.voiceover.request;
    const fingerprint = generation === 'clip' ? chunk.clip.fingerprint : chunk.voiceover.fingerprint;
    const key = chunkGenerationKey(chunk.chunkId, generation);
    const workflowId = chunkWorkflowId(input.explainerId, chunk.chunkId, generation);
    const failed = (error: GenerationError): Outcome => {
      const label = generation === 'clip' ? 'clip' : 'voiceover';
      const previous = errors.get(chunk.chunkId);
      errors.set(chunk.chunkId, `${previous ? `${previous}; ` : ''}${label}: ${error.type}: ${error.message}`);
      states.finish(key, { state: 'failed', error });
      return { chunkId: chunk.chunkId, generation, error };
    };
    const refused = creditBook.reserveFirst(key, request);
    if (refused) return failed(refused);
    try {
      const { result, reused } = await startAndAwait(parent, { key, request, fingerprint }, workflowId);
      // An output archived by an earlier run of this explainer was billed then, not by this run.
      const credits = reused ? 0 : result.credits;
      creditBook.settle(key, credits);
      states.finish(key, { state: 'archived', result });
      return { chunkId: chunk.chunkId, generation, result };
    } catch (error) {
      if (isCancellation(error)) {
        // What a cancelled child was billed is not in its cancellation: the credit book keeps its reservation.
        creditBook.settle(key, undefined);
        states.finish(key, { state: 'cancelled' });
        throw error;
      }
      const billed = billedByFailure(error);
      creditBook.settle(key, billed);
      return failed(generationError(error));
    }
  };

  await checkWorkspaceFirst(
    `explainer ${input.explainerId}`,
    input.chunks.flatMap((chunk) => [chunk.clip.request, chunk.voiceover.request]),
  );
  try {
    // Every generation runs to its end (cancelled with the explainer): none is abandoned mid-flight.
    const settled = await Promise.allSettled(input.chunks.flatMap((chunk) => [generate(chunk, 'clip'), generate(chunk, 'voice')]));
    const cancelled = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
    if (cancelled) throw cancelled.reason;
    const outcomes = settled.map((entry) => (entry as PromiseFulfilledResult<Outcome>).value);
    const failures = outcomes.filter((outcome) => outcome.error !== undefined);
    if (failures.length > 0) {
      const first = failures[0]!;
      const what = (outcome: Outcome) => `chunk ${outcome.chunkId}'s ${outcome.generation === 'clip' ? 'clip' : 'voiceover'}`;
      const details: ExplainerChunkFailure = {
        chunkId: first.chunkId,
        generation: first.generation,
        error: first.error!,
        failed: failures.map((outcome) => ({ chunkId: outcome.chunkId, generation: outcome.generation, error: outcome.error! })),
        credits: creditBook.creditsSpent(),
      };
      const others = failures.length > 1 ? ` (and ${failures.slice(1).map(what).join(', ')})` : '';
      throw ApplicationFailure.create({
        type: FailureType.ExplainerChunkFailed,
        nonRetryable: true,
        message: `${what(first)} failed: ${first.error!.type}: ${first.error!.message}${others}; nothing was assembled`,
        details: [details],
      });
    }

    stage = 'assembling';
    const byChunk = (chunkId: string, generation: ChunkGeneration) =>
      outcomes.find((outcome) => outcome.chunkId === chunkId && outcome.generation === generation)!.result!;
    const stored = (result: GenerationResult) => ({ bucket: result.s3.bucket, key: result.s3.key, sha256: result.s3.sha256 });
    const assembled = await assemble(input, {
      explainerId: input.explainerId,
      chunks: input.chunks.map((chunk) => ({
        clip: stored(byChunk(chunk.chunkId, 'clip')),
        voiceover: stored(byChunk(chunk.chunkId, 'voice')),
        text: chunk.text,
      })),
      output: { bucket: input.archive.bucket, prefix: input.archive.prefix },
      burnSubtitles: input.burnSubtitles,
      ...(input.title !== undefined ? { title: input.title } : {}),
      language: input.language,
    });
    stage = 'done';
    await condition(allHandlersFinished);
    return {
      explainerId: input.explainerId,
      video: assembled.mp4,
      subtitles: assembled.subtitles,
      package: assembled.package,
      chunks: input.chunks.map((chunk) => ({
        chunkId: chunk.chunkId,
        text: chunk.text,
        clipKey: byChunk(chunk.chunkId, 'clip').s3.key,
        voiceoverKey: byChunk(chunk.chunkId, 'voice').s3.key,
      })),
      credits: creditBook.creditsSpent(),
      estimatedCredits: input.chunks.reduce((sum, chunk) => sum + chunk.clip.estimatedCredits + chunk.voiceover.estimatedCredits, 0),
    };
  } catch (error) {
    stage = isCancellation(error) ? 'cancelled' : 'failed';
    throw error;
  }
}

type AssemblyInput = Parameters<ReturnType<typeof assemblyActivities>['assembleExplainer']>[0];

/** The assembly activity; its failure as the explainer's typed failure (the activity's type, its message). */
async function assemble(input: Input, assemblyInput: AssemblyInput): Promise<AssembledExplainer> {
  try {
    return await assemblyActivities().assembleExplainer.executeWithOptions(
      { summary: `assemble ${input.explainerId}: ${input.chunks.length} chunks` },
      [assemblyInput],
    );
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    throw ApplicationFailure.create({
      type: cause instanceof ApplicationFailure && cause.type ? cause.type : FailureType.Unexpected,
      nonRetryable: true,
      message: `assembly of ${input.explainerId} failed: ${cause?.message ?? error.message}`,
    });
  }
}
