import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { GenerationWorkflow } from '../workflows';
import { generationProgressQuery } from '../workflows/messages';
import { generationVisibility } from '../workflows/generation/visibility';
import {
  creditsFor,
  generationWorkflowInputSchema,
  requestCredits,
  resolveGenerationOptions,
  type GenerationProgress,
  type GenerationResult,
  type ResolvedGenerationRequest,
} from '../schemas';
import { requestFingerprint } from '../infra/request-fingerprint';
import { InputError } from './input-error';
import type { RunwayTemporalOptions } from './options';
import { resolveRequest } from './stage-image';
import { parseSpeechStart, parseVideoStart, startPartsOrThrow, type SpeechStartRequest, type VideoStartRequest } from './generation-start';
import { DEFAULT_PRIORITY, temporalPriority } from '../schemas/priority-classes';

/** The workload id of a generation started on its own: its output lands under `<prefix>single/<id>/`. */
const SINGLE = 'single';

/**
 * Single generations outside any workload: one video or one text-to-speech task through the same
 * GenerationWorkflow every workload uses (cap, polling, resubmission, failure classes, archive with sha256).
 * The workflow id is `single--<id>`.
 */
export class Generations {
  constructor(private readonly options: RunwayTemporalOptions) {}

  /** One video on its own. Bad input is an InputError naming the field, before anything starts. */
  async startVideo(request: VideoStartRequest): Promise<WorkflowHandleWithFirstExecutionRunId<typeof GenerationWorkflow>> {
    const { id: videoId, request: fields, options, archive } = startPartsOrThrow('videoId', 'video request', parseVideoStart(request));
    refuseBudgetBelowOneSubmission(
      options.budgetCredits,
      creditsFor(fields.model, fields.duration),
      `${fields.model} for ${fields.duration} s`,
    );
    const destination = this.destination(archive);
    const { request: resolved, fingerprint } = await resolveRequest(
      fields,
      { s3: this.options.s3, ...destination, workloadId: SINGLE },
      process.cwd(),
    );
    return this.startSingle(videoId, resolved, fingerprint, options, destination, `video ${videoId}`);
  }

  /**
   * One text-to-speech task on its own: the audio lands at `<prefix>single/<speechId>/<taskId>.mp3`. Bad input
   * (unknown voice or model, empty or too-long text, a budget below one submission) is an InputError naming
   * the field, before anything starts.
   */
  async startSpeech(request: SpeechStartRequest): Promise<WorkflowHandleWithFirstExecutionRunId<typeof GenerationWorkflow>> {
    const {
      id: speechId,
      request: resolved,
      options,
      archive,
    } = startPartsOrThrow('speechId', 'speech request', parseSpeechStart(request));
    refuseBudgetBelowOneSubmission(
      options.budgetCredits,
      requestCredits(resolved),
      `${resolved.model} for ${resolved.promptText.length} characters`,
    );
    return this.startSingle(speechId, resolved, requestFingerprint(resolved), options, this.destination(archive), `speech ${speechId}`);
  }

  /** Where a single generation's output lands: the request's bucket and prefix, else the client's. */
  private destination(archive: { bucket?: string; prefix?: string }): { bucket: string; prefix: string } {
    return { bucket: archive.bucket ?? this.options.bucket, prefix: archive.prefix ?? this.options.prefix };
  }

  progress(workflowId: string): Promise<GenerationProgress> {
    return this.options.client.workflow.getHandle(workflowId).query(generationProgressQuery);
  }

  waitForResult(workflowId: string): Promise<GenerationResult> {
    return this.options.client.workflow.getHandle<typeof GenerationWorkflow>(workflowId).result();
  }

  /** Cancels the generation: it DELETEs its remote Runway task. */
  async cancel(workflowId: string): Promise<void> {
    await this.options.client.workflow.getHandle(workflowId).cancel();
  }

  private startSingle(
    id: string,
    request: ResolvedGenerationRequest,
    fingerprint: string,
    options: Parameters<typeof resolveGenerationOptions>[0] & {},
    archive: { bucket: string; prefix: string },
    label: string,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof GenerationWorkflow>> {
    const budgetCredits = options.budgetCredits;
    const resolved = resolveGenerationOptions(options);
    return this.options.client.workflow.start(GenerationWorkflow, {
      workflowId: `${SINGLE}--${id}`,
      taskQueue: this.options.taskQueue,
      priority: temporalPriority(resolved.priority, DEFAULT_PRIORITY.generation),
      // The workflow uses its input as given (it parses none, to stay light): what is sent is checked here.
      args: [
        generationWorkflowInputSchema.parse({
          generationId: id,
          workloadId: SINGLE,
          generationKey: id,
          request,
          archive,
          options: resolved,
          ...(budgetCredits !== undefined ? { budgetCredits } : {}),
          fingerprint,
        }),
      ],
      ...generationVisibility({ workloadId: SINGLE, generationKey: id, request, fingerprint, label }),
    });
  }
}

/** A budget that cannot pay one submission of `what` at list price is bad input, refused before anything starts. */
function refuseBudgetBelowOneSubmission(budgetCredits: number | undefined, estimate: number, what: string): void {
  if (budgetCredits === undefined || budgetCredits >= estimate) return;
  throw new InputError(
    'options.budgetCredits',
    `${budgetCredits} credits do not cover one submission: ${what} is estimated at ${estimate} credits`,
  );
}
