import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  patched,
  setHandler,
  setWorkflowOptions,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type {
  ChunkGeneration,
  ExplainerChunkFailure,
  ExplainerResult,
  ExplainerState,
  ExplainerWorkflowInput,
  GenerationError,
  ResolvedGenerationRequest,
  explainerWorkflowInputSchema,
} from '../../schemas';
import { FailureType } from '../../schemas/failures';
import type { AssembledExplainer, AssemblyChunk, ScormPackageRecord, VoiceoverLoudness } from '../../schemas/assembly';
import { assemblyActivities, reviewActivities } from '../activity-stubs';
import { explainerProgressQuery, finalizeUpdate } from '../messages';
import { ProjectStateKey } from '../search-attributes';
import { generationParent, type PlannedGeneration } from '../generation/children';
import { CreditBook } from '../generation/credit-book';
import { GenerationStates } from '../generation/states';
import { checkWorkspaceFirst } from '../generation/workspace-check';
import type { RoomEntry, VoiceoverToRun } from '../review/room';
import { setReviewHandlers } from '../review/handlers';
import { closeCancelled, runTake, runVoiceover, type ReviewedOutcome } from '../review/takes';
import type { ChunkReview, TakeOutput } from '../../schemas';
import { chunkGenerationKey } from './ids';
import { ExplainerLesson } from './lesson';
import { DEFAULT_PRIORITY } from '../../schemas/priority-classes';
import { withWebhook } from '../delivery/announce';
import { versioned } from '../versioning';
import { workloadSchemas } from '../workload-schemas';

type Input = ReturnType<typeof explainerWorkflowInputSchema.parse>;

/** A chunk generation of the first round that failed: without review, what the explainer's failure names. */
interface ChunkFailure {
  chunkId: string;
  generation: ChunkGeneration;
  error: GenerationError;
}

// Pinned: an explainer may wait days for its teacher's review and finishes on the code it started on; a
// release never has to replay it.
setWorkflowOptions(versioned('PINNED'), ExplainerWorkflow);

/**
 * A narrated explainer: a clip and a voiceover per chunk, all at once through the one GenerationWorkflow
 * (same lease cap, pre-screen, resubmission, archive), then the ffmpeg assembly into one MP4 with WebVTT
 * subtitles and a SCORM package.
 *
 * Without review, a chunk whose clip or voiceover fails fails the explainer, naming the chunk, and nothing
 * is assembled. The other generations are left to finish rather than cancelled: a running Runway task is
 * billed even when DELETEd, and their archived outputs are reused (never billed again) when the explainer is
 * re-run with the failed chunk fixed.
 *
 * With review (`review: true`), the chunks wait in the review room like a B-roll project's segments: the
 * teacher approves each clip or rejects it with a new prompt (the chunk's next round), and may have its
 * voiceover redone with new text; a failed chunk waits for that. Finalizing (the same finalize Update as
 * B-roll's) assembles the explainer and answers its result.
 */
export async function ExplainerWorkflow(rawInput: ExplainerWorkflowInput): Promise<ExplainerResult> {
  // The webhook is read from the raw input: the body parses and validates it, and a parse failure is announced too.
  return withWebhook('explainer', rawInput.options.webhook, () => runExplainer(rawInput));
}

async function runExplainer(rawInput: ExplainerWorkflowInput): Promise<ExplainerResult> {
  const input = workloadSchemas().explainerWorkflowInputSchema.parse(rawInput);
  // Each chunk's clip and voiceover takes are generations of the explainer, keyed `<chunkId>--clip|voice[--tN]`.
  const parent = generationParent(input.explainerId, input, DEFAULT_PRIORITY.explainer);
  const creditBook = new CreditBook({ budgetCredits: input.budgetCredits, workload: 'explainer' });
  const states = new GenerationStates(
    input.chunks.flatMap((chunk) => [chunkGenerationKey(chunk.chunkId, 'clip'), chunkGenerationKey(chunk.chunkId, 'voice')]),
  );
  const lesson = new ExplainerLesson(input, creditBook);
  const { room } = lesson;
  const running = new Set<Promise<void>>();
  const failures: ChunkFailure[] = [];
  let after: 'assembling' | 'done' | 'failed' | undefined;
  let allowUnapproved = false;
  let delivered: { result: ExplainerResult } | { failure: unknown } | undefined;
  let published: ExplainerState | undefined;

  const publishState = () => {
    const state = lesson.state(after);
    if (state === published) return;
    published = state;
    upsertSearchAttributes([{ key: ProjectStateKey, value: state }]);
  };
  const progress = () => lesson.progress(lesson.state(after), states);
  const fingerprint = (request: ResolvedGenerationRequest) => reviewActivities().fingerprintRequest(request);
  /** A generation of the explainer in flight: counted in its progress, its end told to the room, a first-round failure kept. */
  const launch = (
    chunkId: string,
    generation: ChunkGeneration,
    plan: () => Promise<PlannedGeneration>,
    run: (planned: PlannedGeneration) => Promise<ReviewedOutcome>,
  ) => {
    const done: Promise<void> = (async () => {
      const planned = await plan();
      states.track(planned.key);
      const outcome = await run(planned);
      if ('result' in outcome) states.finish(planned.key, { state: 'archived', result: outcome.result });
      else if ('cancelled' in outcome) states.finish(planned.key, { state: 'cancelled' });
      else {
        states.finish(planned.key, { state: 'failed', error: outcome.error });
        failures.push({ chunkId, generation, error: outcome.error });
      }
    })().finally(() => {
      running.delete(done);
      publishState();
    });
    running.add(done);
  };
  const launchClip = (entry: RoomEntry<ChunkReview>) => {
    for (const run of room.startRound(entry))
      launch(
        run.key,
        'clip',
        () => lesson.clipGeneration(run, fingerprint),
        (planned) => runTake(parent, creditBook, room, run, planned),
      );
  };
  /** Each archived voiceover's loudness (by its S3 key), measured while the clips are still being made. */
  const loudness = new Map<string, Promise<VoiceoverLoudness | undefined>>();
  const launchVoiceover = (run: VoiceoverToRun) =>
    launch(
      run.key,
      'voice',
      () => lesson.voiceoverGeneration(run, fingerprint),
      async (planned) => {
        const outcome = await runVoiceover(parent, creditBook, room, run, planned);
        // Runs whose voiceovers were archived before they were measured replay as they ran.
        if ('result' in outcome && patched(VOICEOVER_LOUDNESS_PATCH))
          loudness.set(outcome.output.key, measured(input, run.key, outcome.output));
        return outcome;
      },
    );
  const deliver = async (includeUnapproved: boolean): Promise<ExplainerResult> => {
    after = 'assembling';
    publishState();
    const chunks = await withLoudness(lesson.assemblyChunks(includeUnapproved), loudness);
    const output = { bucket: input.archive.bucket, prefix: input.archive.prefix };
    const titled = input.title !== undefined ? { title: input.title } : {};
    // Runs that assembled before the package had an activity of its own replay as they ran.
    const packagedApart = patched(PACKAGE_APART_PATCH);
    const assembled = await assemble(input, {
      explainerId: input.explainerId,
      chunks,
      output,
      burnSubtitles: input.burnSubtitles,
      ...titled,
      language: input.language,
      scorm: !packagedApart,
    });
    const scorm = packagedApart
      ? await packageAssembled(input, {
          explainerId: input.explainerId,
          output,
          mp4: assembled.mp4,
          cues: assembled.timings.map((timing, index) => ({ ...timing, text: chunks[index]!.text })),
          ...titled,
          language: input.language,
        })
      : assembled.package!;
    after = 'done';
    publishState();
    return {
      explainerId: input.explainerId,
      video: assembled.mp4,
      subtitles: assembled.subtitles,
      package: scorm,
      chunks: room.entries.map(({ progress: chunk }, index) => ({
        chunkId: chunk.chunkId,
        text: chunk.text,
        clipKey: chunks[index]!.clip.key,
        voiceoverKey: chunks[index]!.voiceover.key,
      })),
      unapproved: input.review ? room.missing() : [],
      credits: creditBook.creditsSpent(),
      estimatedCredits: input.chunks.reduce((sum, chunk) => sum + chunk.clip.estimatedCredits + chunk.voiceover.estimatedCredits, 0),
    };
  };

  setReviewHandlers(room, {
    progressQuery: explainerProgressQuery,
    progress,
    states,
    creditBook,
    decided: ({ rounds, voiceovers }) => {
      for (const entry of rounds) launchClip(entry);
      for (const run of voiceovers) {
        lesson.narrationChanged(room.entry(run.key)!);
        launchVoiceover(run);
      }
      publishState();
    },
  });
  setHandler(
    finalizeUpdate,
    async (update) => {
      room.closing = 'finalized';
      allowUnapproved = workloadSchemas().finalizeUpdateSchema.parse(update ?? {}).allowUnapproved;
      await condition(() => delivered !== undefined);
      if ('failure' in delivered!) throw delivered.failure;
      return delivered!.result;
    },
    { validator: (update) => room.refuseFinalize(update) },
  );

  await checkWorkspaceFirst(
    `explainer ${input.explainerId}`,
    input.chunks.flatMap((chunk) => [chunk.clip.request, chunk.voiceover.request]),
  );
  publishState();
  for (const entry of room.entries) {
    launchClip(entry);
    launchVoiceover(room.currentVoiceover(entry));
  }
  try {
    if (!input.review) {
      // Every generation runs to its end (cancelled with the explainer): none is abandoned mid-flight.
      await condition(() => room.everyFirstRoundEnded());
      if (failures.length > 0) throw chunkFailure(input, failures, creditBook.creditsSpent());
      const result = await deliver(true);
      await condition(allHandlersFinished);
      return result;
    }
    await condition(() => room.closing !== undefined);
    try {
      delivered = { result: await deliver(allowUnapproved) };
      room.ended = 'finalized';
    } catch (error) {
      delivered = { failure: error };
    }
    // The finalize Update answers with the result (or the assembly's failure) before the explainer ends.
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    if ('failure' in delivered) throw delivered.failure;
    return delivered.result;
  } catch (error) {
    if (!isCancellation(error)) {
      after = 'failed';
      publishState();
      throw error;
    }
    await closeCancelled(room, running, publishState);
    throw error;
  }
}

/** Without review: the explainer's failure, naming the first failed chunk generation (in chunk order) and the others. */
function chunkFailure(input: Input, failures: ChunkFailure[], credits: number): ApplicationFailure {
  const order = (failure: ChunkFailure) =>
    input.chunks.findIndex((chunk) => chunk.chunkId === failure.chunkId) * 2 + (failure.generation === 'clip' ? 0 : 1);
  const sorted = [...failures].sort((a, b) => order(a) - order(b));
  const first = sorted[0]!;
  const what = (failure: ChunkFailure) => `chunk ${failure.chunkId}'s ${failure.generation === 'clip' ? 'clip' : 'voiceover'}`;
  const details: ExplainerChunkFailure = { ...first, failed: sorted, credits };
  const others = sorted.length > 1 ? ` (and ${sorted.slice(1).map(what).join(', ')})` : '';
  return ApplicationFailure.create({
    type: FailureType.ExplainerChunkFailed,
    nonRetryable: true,
    message: `${what(first)} failed: ${first.error.type}: ${first.error.message}${others}; nothing was assembled`,
    details: [details],
  });
}

/** The patch that measures each voiceover's loudness once it is archived, instead of in the assembly. */
const VOICEOVER_LOUDNESS_PATCH = 'voiceover-loudness-measured';

/**
 * A voiceover's loudness, or undefined when it was not measured: the assembly then measures the narration
 * itself (and fails there, typed, if the voiceover is truly unreadable).
 */
async function measured(input: Input, chunkId: string, voiceover: TakeOutput): Promise<VoiceoverLoudness | undefined> {
  try {
    return await assemblyActivities().measureVoiceover.executeWithOptions(
      { summary: `measure the loudness of ${input.explainerId}'s ${chunkId} voiceover` },
      [{ voiceover: { bucket: voiceover.bucket, key: voiceover.key, sha256: voiceover.sha256, bytes: voiceover.bytes } }],
    );
  } catch {
    // Cancelled with the explainer, or failed: nothing waits on a rejection, and the assembly can measure.
    return undefined;
  }
}

/** The chunks with each voiceover's measured loudness, where it was measured. */
async function withLoudness(
  chunks: AssemblyChunk[],
  loudness: ReadonlyMap<string, Promise<VoiceoverLoudness | undefined>>,
): Promise<AssemblyChunk[]> {
  const measurements = await Promise.all(chunks.map((chunk) => loudness.get(chunk.voiceover.key)));
  return chunks.map((chunk, index) => {
    const measurement = measurements[index];
    return measurement ? { ...chunk, voiceover: { ...chunk.voiceover, loudness: measurement } } : chunk;
  });
}

/** The patch that moved the SCORM package out of the assembly into its own activity. */
const PACKAGE_APART_PATCH = 'explainer-package-activity';

type AssemblyInput = Parameters<ReturnType<typeof assemblyActivities>['assembleExplainer']>[0];
type PackageInput = Parameters<ReturnType<typeof assemblyActivities>['packageExplainer']>[0];

/** The assembly activity; its failure as the explainer's typed failure (the activity's type, its message). */
async function assemble(input: Input, assemblyInput: AssemblyInput): Promise<AssembledExplainer> {
  return await asExplainerFailure(input, 'assembly', () =>
    assemblyActivities().assembleExplainer.executeWithOptions({ summary: `assemble ${input.explainerId}: ${input.chunks.length} chunks` }, [
      assemblyInput,
    ]),
  );
}

/** The SCORM package of the assembled MP4; its failure typed the same way. */
async function packageAssembled(input: Input, packageInput: PackageInput): Promise<ScormPackageRecord> {
  return await asExplainerFailure(input, 'packaging', () =>
    assemblyActivities().packageExplainer.executeWithOptions({ summary: `package ${input.explainerId} (SCORM 1.2)` }, [packageInput]),
  );
}

async function asExplainerFailure<T>(input: Input, step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    throw ApplicationFailure.create({
      type: cause instanceof ApplicationFailure && cause.type ? cause.type : FailureType.Unexpected,
      nonRetryable: true,
      message: `${step} of ${input.explainerId} failed: ${cause?.message ?? error.message}`,
    });
  }
}
