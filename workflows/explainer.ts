import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, isCancellation, setHandler } from '@temporalio/workflow';
import {
  FailureType,
  explainerWorkflowInputSchema,
  requestCredits,
  type ExplainerProgress,
  type ExplainerResult,
  type ExplainerStage,
  type ExplainerWorkflowInput,
  type ResolvedGenerationRequest,
  type VariantError,
  type VideoResult,
} from '../schemas';
import type { AssembledExplainer } from '../schemas/assembly';
import { assemblyActivities } from './activity-stubs';
import { billedByFailure, startAndAwait, variantError } from './campaign';
import { PromptImageUploads } from './image-uploads';
import { checkWorkspaceFirst } from './workspace-check';
import { CampaignLedger } from './campaign-ledger';
import { creditRequestSignal, explainerProgressQuery, variantStateSignal } from './messages';

type Input = ReturnType<typeof explainerWorkflowInputSchema.parse>;
type Chunk = Input['chunks'][number];
export type ExplainerGeneration = 'clip' | 'voice';

/** A chunk's clip or voiceover, beside the explainer in the Web UI: `<explainerId>--<chunkId>--clip|voice`. */
export function explainerGenerationWorkflowId(explainerId: string, chunkId: string, generation: ExplainerGeneration): string {
  return `${explainerId}--${chunkId}--${generation}`;
}

/** What the explainer's failure carries in its first detail: the chunk that failed, why, and the bill. */
export interface ExplainerChunkFailure {
  chunkId: string;
  generation: ExplainerGeneration;
  error: VariantError;
  /** Every chunk generation that failed, in chunk order. */
  failed: Array<{ chunkId: string; generation: ExplainerGeneration; error: VariantError }>;
  /** What Runway billed this run for all the explainer's generations, net of refunds. */
  credits: number;
}

interface Outcome {
  chunkId: string;
  generation: ExplainerGeneration;
  result?: VideoResult;
  error?: VariantError;
}

/**
 * A narrated explainer: a clip and a voiceover per chunk, all at once through the one
 * VideoGenerationWorkflow (same lease cap, pre-screen, resubmission, archive), then the ffmpeg assembly
 * into one MP4 with WebVTT subtitles. A chunk whose clip or voiceover fails fails the explainer, naming
 * the chunk, and nothing is assembled. The other generations are left to finish rather than cancelled:
 * a running Runway task is billed even when DELETEd, and their archived outputs are reused (never billed
 * again) when the explainer is re-run with the failed chunk fixed.
 */
export async function ExplainerWorkflow(rawInput: ExplainerWorkflowInput): Promise<ExplainerResult> {
  const input = explainerWorkflowInputSchema.parse(rawInput);
  const variantIdOf = (chunkId: string, generation: ExplainerGeneration) => `${chunkId}--${generation}`;
  // The campaign's child start and credit ledger, with the explainer as the campaign and each generation as a variant.
  const view = {
    campaignId: input.explainerId,
    variants: input.chunks.flatMap((chunk) => [
      { variantId: variantIdOf(chunk.chunkId, 'clip') },
      { variantId: variantIdOf(chunk.chunkId, 'voice') },
    ]),
    archive: input.archive,
    options: input.options,
    ...(input.budgetCredits !== undefined ? { budgetCredits: input.budgetCredits } : {}),
    ...(input.taskQueue !== undefined ? { taskQueue: input.taskQueue } : {}),
    imageUploads: new PromptImageUploads(),
  };
  const ledger = new CampaignLedger(view);
  let stage: ExplainerStage = 'generating';
  const errors = new Map<string, string>();

  setHandler(explainerProgressQuery, (): ExplainerProgress => {
    const ledgerView = ledger.progress();
    const states = new Map(ledgerView.variants.map((variant) => [variant.variantId, variant]));
    const stateOf = (chunkId: string, generation: ExplainerGeneration) => states.get(variantIdOf(chunkId, generation))?.state ?? 'waiting';
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
      done: ledgerView.variants.filter((variant) => variant.state === 'archived' || variant.state === 'failed').length,
      total: ledgerView.total,
      creditsSpent: ledgerView.creditsSpent,
    };
  });
  setHandler(variantStateSignal, (update) => ledger.onVariantState(update));
  setHandler(creditRequestSignal, (request) => ledger.onCreditRequest(request));

  const generate = async (chunk: Chunk, generation: ExplainerGeneration): Promise<Outcome> => {
    const request: ResolvedGenerationRequest = generation === 'clip' ? chunk.clip.request : chunk.voiceover.request;
    const fingerprint = generation === 'clip' ? chunk.clip.fingerprint : chunk.voiceover.fingerprint;
    const variantId = variantIdOf(chunk.chunkId, generation);
    const workflowId = explainerGenerationWorkflowId(input.explainerId, chunk.chunkId, generation);
    const failed = (error: VariantError, credits: number): Outcome => {
      const label = generation === 'clip' ? 'clip' : 'voiceover';
      const previous = errors.get(chunk.chunkId);
      errors.set(chunk.chunkId, `${previous ? `${previous}; ` : ''}${label}: ${error.type}: ${error.message}`);
      ledger.finish(variantId, { variantId, workflowId, state: 'failed', error, credits });
      return { chunkId: chunk.chunkId, generation, error };
    };
    const estimate = requestCredits(request);
    if (!ledger.reserve(variantId, estimate)) {
      ledger.settle(variantId, 0);
      return failed(
        {
          type: FailureType.BudgetExceeded,
          message: `needs ${estimate} credits; the explainer budget of ${input.budgetCredits} credits has ${ledger.remaining()} left`,
        },
        0,
      );
    }
    try {
      const { result, reused } = await startAndAwait(view, { variantId, request, fingerprint }, workflowId);
      // An output archived by an earlier run of this explainer was billed then, not by this run.
      const credits = reused ? 0 : result.credits;
      ledger.settle(variantId, credits);
      ledger.finish(variantId, { variantId, workflowId, state: 'archived', result, credits, ...(reused ? { reused } : {}) });
      return { chunkId: chunk.chunkId, generation, result };
    } catch (error) {
      if (isCancellation(error)) {
        // What a cancelled child was billed is not in its cancellation: the ledger keeps its reservation.
        ledger.settle(variantId, undefined);
        ledger.finish(variantId, { variantId, workflowId, state: 'cancelled', credits: 0 });
        throw error;
      }
      const billed = billedByFailure(error);
      ledger.settle(variantId, billed);
      return failed(variantError(error), billed ?? 0);
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
        credits: ledger.progress().creditsSpent,
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
    const byChunk = (chunkId: string, generation: ExplainerGeneration) =>
      outcomes.find((outcome) => outcome.chunkId === chunkId && outcome.generation === generation)!.result!;
    const stored = (result: VideoResult) => ({ bucket: result.s3.bucket, key: result.s3.key, sha256: result.s3.sha256 });
    const assembled = await assemble(input, {
      explainerId: input.explainerId,
      chunks: input.chunks.map((chunk) => ({
        clip: stored(byChunk(chunk.chunkId, 'clip')),
        voiceover: stored(byChunk(chunk.chunkId, 'voice')),
        text: chunk.text,
      })),
      output: { bucket: input.archive.bucket, prefix: input.archive.prefix },
      burnSubtitles: input.burnSubtitles,
    });
    stage = 'done';
    await condition(allHandlersFinished);
    return {
      explainerId: input.explainerId,
      video: assembled.mp4,
      subtitles: assembled.subtitles,
      chunks: input.chunks.map((chunk) => ({
        chunkId: chunk.chunkId,
        text: chunk.text,
        clipKey: byChunk(chunk.chunkId, 'clip').s3.key,
        voiceoverKey: byChunk(chunk.chunkId, 'voice').s3.key,
      })),
      credits: ledger.progress().creditsSpent,
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
