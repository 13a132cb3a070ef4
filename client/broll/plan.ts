import {
  catalogIssues,
  creditsFor,
  endpointFor,
  promptTextSchema,
  resolveGenerationOptions,
  resolveRatio,
  videoRequestShape,
  type BrollProjectFile,
  type BrollSegmentPlan,
  type BrollWorkflowInput,
  type Endpoint,
  type GenerationOptions,
  type ImageRef,
  type ModelId,
} from '../../schemas';
import type { PlanContext } from '../plan-context';
import { InputError, inputErrorFromZod } from '../input-error';
import { fitDuration } from '../clip-duration';
import { checkLocalImage, resolveRequest } from '../stage-image';
import { TfIdfKeywordExtractor, type KeywordExtractor } from '../keywords';
import { clock, readTranscript, type TranscriptFormat } from './transcript';

/**
 * Planning a B-roll project, before any spend: the transcript's segments with their record timecodes,
 * keywords, a prompt each, a clip duration fitted to each segment and the credits it will cost. The plan is
 * made without S3 (`draftBrollPlan`, what `broll plan` prints, works with the stack down); `planBroll`
 * then stages the prompt image and fingerprints every request for the BrollWorkflow.
 */

export interface BrollPlanSegment {
  segmentId: string;
  recordInMs: number;
  recordOutMs: number;
  text: string;
  keywords: string[];
  promptText: string;
  /** Whether the prompt came from the template or the project file's overrides. */
  promptSource: 'template' | 'override';
  /** Seconds of the clip: the shortest the model allows that covers the segment, else its longest. */
  duration: number;
  estimatedCredits: number;
}

export interface BrollPlan {
  projectId: string;
  transcript: { path: string; format: TranscriptFormat };
  model: ModelId;
  endpoint: Endpoint;
  ratio: string;
  style: string;
  /** As the project file gives it; staged only by planBroll. */
  promptImage?: string;
  fps: 24 | 25 | 30;
  segments: BrollPlanSegment[];
  /** Seconds of video and list-price credits of one generation of every segment. */
  totalSeconds: number;
  estimatedCredits: number;
  budgetCredits?: number;
  archive: { bucket?: string; prefix?: string };
  options: GenerationOptions;
  maxReviewRounds?: number;
  reviewDeadlineMs?: number;
}

export interface DraftOptions {
  /** Another keyword extractor than the built-in tf-idf one. */
  keywords?: KeywordExtractor;
}

const PLACEHOLDERS = ['keywords', 'text', 'style'] as const;

/** The plan of a validated project file; reads the transcript and checks local images, stages nothing. */
export async function draftBrollPlan(project: BrollProjectFile, baseDir: string, options: DraftOptions = {}): Promise<BrollPlan> {
  const { model, ratio, endpoint } = checkBrief(project);
  checkTemplate(project.brief.promptTemplate);
  if (project.brief.promptImage !== undefined) await checkBriefImage(project.brief.promptImage, baseDir);
  const transcript = await readTranscript(project.transcript, baseDir, project.wordsPerSecond);
  const ids = transcript.segments.map((_, index) => segmentId(index));
  for (const id of Object.keys(project.overrides))
    if (!ids.includes(id))
      throw new InputError(
        `overrides.${id}`,
        `no segment ${id}: the transcript has ${ids.length} segments, ${ids[0]}…${ids[ids.length - 1]}`,
      );
  const texts = transcript.segments.map((segment) => segment.text);
  const keywords = await (options.keywords ?? new TfIdfKeywordExtractor()).extract(texts);
  if (keywords.length !== texts.length)
    throw new Error(`the keyword extractor returned ${keywords.length} keyword lists for ${texts.length} segments`);
  const segments = transcript.segments.map((segment, index): BrollPlanSegment => {
    const id = ids[index]!;
    const override = project.overrides[id];
    const segmentKeywords = keywords[index]!;
    const promptText = override?.promptText ?? fillTemplate(project, id, segment.text, segmentKeywords);
    const duration = fitDuration(model, segment.outMs - segment.inMs);
    return {
      segmentId: id,
      recordInMs: segment.inMs,
      recordOutMs: segment.outMs,
      text: segment.text,
      keywords: segmentKeywords,
      promptText,
      promptSource: override ? 'override' : 'template',
      duration,
      estimatedCredits: creditsFor(model, duration),
    };
  });
  const { maxReviewRounds, reviewDeadline, ...generation } = project.options;
  return {
    projectId: project.projectId,
    transcript: { path: transcript.path, format: transcript.format },
    model,
    endpoint,
    ratio,
    style: project.brief.style,
    ...(project.brief.promptImage !== undefined ? { promptImage: project.brief.promptImage } : {}),
    fps: project.fps,
    segments,
    totalSeconds: segments.reduce((sum, segment) => sum + segment.duration, 0),
    estimatedCredits: segments.reduce((sum, segment) => sum + segment.estimatedCredits, 0),
    ...(generation.budgetCredits !== undefined ? { budgetCredits: generation.budgetCredits } : {}),
    archive: project.archive,
    options: resolveGenerationOptions(generation),
    ...(maxReviewRounds !== undefined ? { maxReviewRounds } : {}),
    ...(reviewDeadline !== undefined ? { reviewDeadlineMs: reviewDeadline } : {}),
  };
}

/** The BrollWorkflow's input: the draft plan with the prompt image staged once and every request fingerprinted. */
export async function planBroll(project: BrollProjectFile, context: PlanContext & DraftOptions): Promise<BrollWorkflowInput> {
  const plan = await draftBrollPlan(project, context.baseDir, context);
  const bucket = plan.archive.bucket ?? context.defaultBucket;
  const prefix = plan.archive.prefix ?? context.defaultPrefix;
  const target = { s3: context.s3, bucket, prefix, workloadId: plan.projectId };
  const staged = new Map<string, ImageRef>();
  const segments: BrollSegmentPlan[] = [];
  for (const segment of plan.segments) {
    const request = {
      model: plan.model,
      ratio: plan.ratio,
      duration: segment.duration,
      promptText: segment.promptText,
      ...(plan.promptImage !== undefined ? { promptImage: plan.promptImage } : {}),
    };
    const resolved = await resolveRequest(request, target, context.baseDir, staged);
    segments.push({
      segmentId: segment.segmentId,
      recordInMs: segment.recordInMs,
      recordOutMs: segment.recordOutMs,
      text: segment.text,
      keywords: segment.keywords,
      ...resolved,
      estimatedCredits: segment.estimatedCredits,
    });
  }
  return {
    projectId: plan.projectId,
    segments,
    fps: plan.fps,
    archive: { bucket, prefix },
    options: plan.options,
    ...(plan.budgetCredits !== undefined ? { budgetCredits: plan.budgetCredits } : {}),
    ...(plan.maxReviewRounds !== undefined ? { maxReviewRounds: plan.maxReviewRounds } : {}),
    ...(plan.reviewDeadlineMs !== undefined ? { reviewDeadlineMs: plan.reviewDeadlineMs } : {}),
    ...(context.taskQueue ? { taskQueue: context.taskQueue } : {}),
  };
}

/** s01, s02, … (s100 and on past 99: ids only need to be unique and sort in order up to 99). */
export function segmentId(index: number): string {
  return `s${String(index + 1).padStart(2, '0')}`;
}

/** The brief's model, ratio and image against the catalog, with the catalog's own messages, named brief.<field>. */
function checkBrief(project: BrollProjectFile): { model: ModelId; ratio: string; endpoint: Endpoint } {
  const { model, ratio, promptImage } = project.brief;
  // A stand-in prompt: the real ones are checked per segment once they are built.
  const request = { model, ratio, promptText: 'B-roll', ...(promptImage !== undefined ? { promptImage } : {}) };
  const parsed = videoRequestShape.safeParse(request);
  const issues = parsed.success ? catalogIssues(parsed.data) : parsed.error.issues;
  if (issues.length > 0 || !parsed.success)
    throw inputErrorFromZod(
      'B-roll project',
      issues.map((issue) => ({ path: ['brief', ...issue.path], message: issue.message })),
    );
  return {
    model: parsed.data.model,
    ratio: resolveRatio(parsed.data.model, parsed.data.ratio ?? ratio),
    endpoint: endpointFor(parsed.data),
  };
}

async function checkBriefImage(source: string, baseDir: string): Promise<void> {
  try {
    await checkLocalImage(source, baseDir);
  } catch (error) {
    if (error instanceof InputError) throw new InputError('brief.promptImage', error.message.replace(/^promptImage: /, ''));
    throw error;
  }
}

/** A template must say something about its segment ({keywords} or {text}) and use only the placeholders it can fill. */
function checkTemplate(template: string): void {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]!);
  const unknown = names.find((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw new InputError(
      'brief.promptTemplate',
      `unknown placeholder {${unknown}}; a template may use ${PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
    );
  if (!names.includes('keywords') && !names.includes('text'))
    throw new InputError('brief.promptTemplate', 'the template needs {keywords} or {text}, or every segment gets the same prompt');
}

function fillTemplate(project: BrollProjectFile, id: string, text: string, keywords: string[]): string {
  const template = project.brief.promptTemplate;
  if (keywords.length === 0 && !template.includes('{text}'))
    throw new InputError(`segment ${id}`, `no keywords found in "${text}" and the template has no {text}: give overrides.${id}.promptText`);
  const values: Record<(typeof PLACEHOLDERS)[number], string> = { keywords: keywords.join(', '), text, style: project.brief.style };
  const prompt = template.replace(/\{(keywords|text|style)\}/g, (_, name: keyof typeof values) => values[name]).trim();
  const checked = promptTextSchema.safeParse(prompt);
  if (!checked.success)
    throw new InputError(
      `segment ${id}`,
      `its prompt from brief.promptTemplate is invalid: ${checked.error.issues[0]!.message}; shorten the template or give overrides.${id}.promptText`,
    );
  return prompt;
}

/** The plan as a readable table: one row per segment, its prompt beneath, and the totals. */
export function describeBrollPlan(plan: BrollPlan): string[] {
  const lines = [
    `B-roll project ${plan.projectId}: ${plan.segments.length} segments from ${plan.transcript.path} (${plan.transcript.format})`,
    `model ${plan.model} ${plan.endpoint} ${plan.ratio}${plan.promptImage ? `, image ${plan.promptImage}` : ''}; style: ${plan.style}`,
    '',
    `${'segment'.padEnd(8)} ${'record in'.padEnd(12)} ${'record out'.padEnd(12)} ${'length'.padStart(7)} ${'clip'.padStart(4)} ${'credits'.padStart(7)}  keywords`,
  ];
  for (const segment of plan.segments) {
    const length = `${((segment.recordOutMs - segment.recordInMs) / 1000).toFixed(1)}s`;
    lines.push(
      `${segment.segmentId.padEnd(8)} ${clock(segment.recordInMs).padEnd(12)} ${clock(segment.recordOutMs).padEnd(12)} ${length.padStart(7)} ${`${segment.duration}s`.padStart(4)} ${String(segment.estimatedCredits).padStart(7)}  ${segment.keywords.join(', ')}`,
    );
    lines.push(`${''.padEnd(8)} ${segment.promptSource === 'override' ? 'prompt (override)' : 'prompt'}: ${segment.promptText}`);
  }
  const budget =
    plan.budgetCredits === undefined
      ? ''
      : plan.estimatedCredits > plan.budgetCredits
        ? `; over the budget of ${plan.budgetCredits} credits — some segments will not be generated`
        : `; budget ${plan.budgetCredits} credits`;
  lines.push(
    '',
    `${plan.segments.length} clips, ${plan.totalSeconds} s of video, ${plan.estimatedCredits} credits at list price for one round${budget}`,
  );
  return lines;
}
