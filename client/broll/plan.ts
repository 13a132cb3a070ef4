import {
  MODEL_CATALOG,
  catalogIssues,
  creditsFor,
  endpointFor,
  promptTextSchema,
  takeSeed,
  type ResolvedVideoRequest,
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
import { checkLocalImage, resolveRequest, stageImageBytes } from '../stage-image';
import { TfIdfKeywordExtractor, type KeywordExtractor } from '../keywords';
import { requestFingerprint } from '../../infra/request-fingerprint';
import { createSafeFetch, type SafeFetch } from '../../infra/safe-fetch';
import type { PromptWriter } from '../prompts/prompt-writer';
import { documentaryShot } from '../prompts/shapes';
import { promptWriterFromEnv } from '../prompts/writer-from-env';
import { findPhotographs, type Photograph } from './photographs';
import { clock, readTranscript, type TranscriptFormat } from './transcript';

/**
 * Planning a B-roll project, before any spend: the transcript's segments with their record timecodes,
 * keywords (the producer's win; extracted ones fill in), the archival photograph a segment animates, a shot
 * prompt each (the prompt writer's, a template's, or an override), a clip duration fitted to each segment,
 * its takes and what they cost. Every photograph is read and checked here. The plan is made without S3
 * (`draftBrollPlan`, what `broll plan` prints, works with the stack down); `planBroll` then stages the
 * images and fingerprints every take for the BrollWorkflow.
 */

export interface BrollPlanSegment {
  segmentId: string;
  recordInMs: number;
  recordOutMs: number;
  text: string;
  keywords: string[];
  /** Keywords the producer gave (project file or transcript), or extracted from the narration. */
  keywordSource: 'producer' | 'extracted';
  promptText: string;
  /** Who made the prompt: the prompt writer (nlp, llm), the brief's template, or the project file's override. */
  prompt: { writer: 'nlp' | 'llm' | 'template' | 'override'; model?: string; fallback?: string };
  /** image_to_video when the segment animates a photograph (or the brief's image), else text_to_video. */
  endpoint: Endpoint;
  photo?: PlannedPhoto;
  /** Seconds of the clip: the shortest the model allows that covers the segment, else its longest. */
  duration: number;
  takes: number;
  /** Each take's own seed, when the model takes one. */
  seeds?: number[];
  /** List-price credits of one take, and of all the segment's takes. */
  creditsPerTake: number;
  estimatedCredits: number;
}

/** A segment's photograph as the plan shows it: where it came from, its size, and how the model fits it. */
export interface PlannedPhoto {
  source: string;
  from: 'segment' | 'folder';
  width: number;
  height: number;
  sha256: string;
  /** How the photograph meets the project's ratio: Runway's model crops it to the output's ratio. */
  fit: string;
}

export interface BrollPlan {
  projectId: string;
  transcript: { path: string; format: TranscriptFormat };
  model: ModelId;
  ratio: string;
  style: string;
  /** As the project file gives it; staged only by planBroll. */
  promptImage?: string;
  fps: 24 | 25 | 30;
  takesPerSegment: number;
  segments: BrollPlanSegment[];
  /** Seconds of video and list-price credits of round 1: every take of every segment. */
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
  /** Another prompt writer than the one the environment configures (PROMPT_WRITER). */
  writer?: PromptWriter;
  /** How photographs by https URL are fetched: the guarded fetch by default. */
  fetchUrl?: SafeFetch;
}

const PLACEHOLDERS = ['keywords', 'text', 'style'] as const;

/** The plan of a validated project file; reads the transcript and checks every image, stages nothing. */
export async function draftBrollPlan(project: BrollProjectFile, baseDir: string, options: DraftOptions = {}): Promise<BrollPlan> {
  return (await draft(project, baseDir, options)).plan;
}

interface Draft {
  plan: BrollPlan;
  photographs: Map<string, Photograph>;
}

async function draft(project: BrollProjectFile, baseDir: string, options: DraftOptions): Promise<Draft> {
  const { model, ratio } = checkBrief(project);
  if (project.brief.promptTemplate !== undefined) checkTemplate(project.brief.promptTemplate);
  if (project.brief.promptImage !== undefined) await checkBriefImage(project.brief.promptImage, baseDir);
  const transcript = await readTranscript(project.transcript, baseDir, project.wordsPerSecond);
  const ids = transcript.segments.map((_, index) => segmentId(index));
  const noSegment = (field: string, id: string) =>
    new InputError(field, `no segment ${id}: the transcript has ${ids.length} segments, ${ids[0]}…${ids[ids.length - 1]}`);
  for (const id of Object.keys(project.overrides)) if (!ids.includes(id)) throw noSegment(`overrides.${id}`, id);
  for (const [id, given] of Object.entries(project.segments))
    if (!ids.includes(id)) throw given.photo !== undefined ? noSegment(`segments.${id}.photo`, id) : noSegment(`segments.${id}`, id);
  const named = Object.fromEntries(
    Object.entries(project.segments).flatMap(([id, given]) => (given.photo !== undefined ? [[id, given.photo]] : [])),
  );
  const fetchUrl = options.fetchUrl ?? (Object.values(named).some((source) => /^https:/i.test(source)) ? createSafeFetch() : undefined);
  let found: Photograph[];
  try {
    found = await findPhotographs({ named, ...(project.photos !== undefined ? { folder: project.photos } : {}) }, ids, baseDir, fetchUrl);
  } finally {
    if (!options.fetchUrl) await fetchUrl?.close();
  }
  const photographs = new Map(found.map((photo) => [photo.segmentId, photo]));
  const texts = transcript.segments.map((segment) => segment.text);
  const extracted = await (options.keywords ?? new TfIdfKeywordExtractor()).extract(texts);
  if (extracted.length !== texts.length)
    throw new Error(`the keyword extractor returned ${extracted.length} keyword lists for ${texts.length} segments`);
  const producerKeywords = transcript.segments.map((segment, index) => project.segments[ids[index]!]?.keywords ?? segment.keywords);
  const written =
    project.brief.promptTemplate === undefined
      ? await (options.writer ?? promptWriterFromEnv()).write({
          units: texts.map((text, index) => ({ text, ...(producerKeywords[index] ? { keywords: producerKeywords[index] } : {}) })),
          shape: documentaryShot,
          style: project.brief.style,
        })
      : undefined;
  const takes = project.takesPerSegment;
  const segments = transcript.segments.map((segment, index): BrollPlanSegment => {
    const id = ids[index]!;
    const override = project.overrides[id];
    const given = producerKeywords[index];
    const keywords = given ?? extracted[index]!;
    const prompt = written?.[index];
    const promptText = override?.promptText ?? prompt?.promptText ?? fillTemplate(project, id, segment.text, keywords);
    const photo = photographs.get(id);
    const endpoint: Endpoint = photo || project.brief.promptImage !== undefined ? 'image_to_video' : 'text_to_video';
    checkSegmentRequest(id, {
      model,
      ratio,
      promptText,
      ...(photo || project.brief.promptImage ? { promptImage: 'runway://checked' } : {}),
    });
    const duration = fitDuration(model, segment.outMs - segment.inMs);
    const creditsPerTake = creditsFor(model, duration);
    const seeded = MODEL_CATALOG[model].endpoints[endpoint]?.params.includes('seed') ?? false;
    return {
      segmentId: id,
      recordInMs: segment.inMs,
      recordOutMs: segment.outMs,
      text: segment.text,
      keywords,
      keywordSource: given ? 'producer' : 'extracted',
      promptText,
      prompt: override
        ? { writer: 'override' }
        : prompt
          ? {
              writer: prompt.writer,
              ...(prompt.model ? { model: prompt.model } : {}),
              ...(prompt.fallback ? { fallback: prompt.fallback.reason } : {}),
            }
          : { writer: 'template' },
      endpoint,
      ...(photo ? { photo: plannedPhoto(photo, ratio) } : {}),
      duration,
      takes,
      ...(seeded ? { seeds: Array.from({ length: takes }, (_, take) => takeSeed(project.projectId, id, take + 1)) } : {}),
      creditsPerTake,
      estimatedCredits: creditsPerTake * takes,
    };
  });
  const { maxReviewRounds, reviewDeadline, ...generation } = project.options;
  const plan: BrollPlan = {
    projectId: project.projectId,
    transcript: { path: transcript.path, format: transcript.format },
    model,
    ratio,
    style: project.brief.style,
    ...(project.brief.promptImage !== undefined ? { promptImage: project.brief.promptImage } : {}),
    fps: project.fps,
    takesPerSegment: takes,
    segments,
    totalSeconds: segments.reduce((sum, segment) => sum + segment.duration * segment.takes, 0),
    estimatedCredits: segments.reduce((sum, segment) => sum + segment.estimatedCredits, 0),
    ...(generation.budgetCredits !== undefined ? { budgetCredits: generation.budgetCredits } : {}),
    archive: project.archive,
    options: resolveGenerationOptions(generation),
    ...(maxReviewRounds !== undefined ? { maxReviewRounds } : {}),
    ...(reviewDeadline !== undefined ? { reviewDeadlineMs: reviewDeadline } : {}),
  };
  return { plan, photographs };
}

/**
 * The BrollWorkflow's input: the draft plan with every image staged once (a segment's photograph, the bytes
 * that were checked; or the brief's image) and every round-1 take fingerprinted with its seed.
 */
export async function planBroll(project: BrollProjectFile, context: PlanContext & DraftOptions): Promise<BrollWorkflowInput> {
  const { plan, photographs } = await draft(project, context.baseDir, context);
  const bucket = plan.archive.bucket ?? context.defaultBucket;
  const prefix = plan.archive.prefix ?? context.defaultPrefix;
  const target = { s3: context.s3, bucket, prefix, workloadId: plan.projectId };
  const staged = new Map<string, ImageRef>();
  const segments: BrollSegmentPlan[] = [];
  for (const segment of plan.segments) {
    const photo = photographs.get(segment.segmentId);
    const base = { model: plan.model, ratio: plan.ratio, duration: segment.duration, promptText: segment.promptText };
    let request: ResolvedVideoRequest;
    if (photo) {
      const promptImage = staged.get(photo.sha256) ?? (await stageImageBytes(photo.bytes, photo.header, target));
      staged.set(photo.sha256, promptImage);
      request = { ...base, promptImage };
    } else {
      const brief = plan.promptImage !== undefined ? { promptImage: plan.promptImage } : {};
      request = (await resolveRequest({ ...base, ...brief }, target, context.baseDir, staged)).request;
    }
    const takeFingerprints = Array.from({ length: segment.takes }, (_, index) =>
      requestFingerprint(segment.seeds ? { ...request, seed: segment.seeds[index]! } : request),
    );
    segments.push({
      segmentId: segment.segmentId,
      recordInMs: segment.recordInMs,
      recordOutMs: segment.recordOutMs,
      text: segment.text,
      keywords: segment.keywords,
      request,
      seeded: segment.seeds !== undefined,
      takeFingerprints,
      estimatedCredits: segment.estimatedCredits,
      ...(segment.photo
        ? {
            photo: { source: segment.photo.source, sha256: segment.photo.sha256, width: segment.photo.width, height: segment.photo.height },
          }
        : {}),
      prompt: segment.prompt,
    });
  }
  return {
    projectId: plan.projectId,
    segments,
    fps: plan.fps,
    archive: { bucket, prefix },
    options: plan.options,
    takesPerSegment: plan.takesPerSegment,
    ...(plan.budgetCredits !== undefined ? { budgetCredits: plan.budgetCredits } : {}),
    ...(plan.maxReviewRounds !== undefined ? { maxReviewRounds: plan.maxReviewRounds } : {}),
    ...(plan.reviewDeadlineMs !== undefined ? { reviewDeadlineMs: plan.reviewDeadlineMs } : {}),
    ...(context.taskQueue ? { taskQueue: context.taskQueue } : {}),
  };
}

/**
 * How a photograph meets the project's ratio: Runway's image-to-video crops the image to the output's
 * ratio (centred), so the plan says how much of it is cut. Letterboxing before upload would keep all of
 * it, but the model would animate the black bars as part of the picture.
 */
function plannedPhoto(photo: Photograph, ratio: string): PlannedPhoto {
  const { width, height } = photo.header;
  const [ratioWidth, ratioHeight] = ratio.split(':').map(Number) as [number, number];
  const target = ratioWidth / ratioHeight;
  const aspect = width / height;
  const cut = Math.round((1 - Math.min(aspect, target) / Math.max(aspect, target)) * 100);
  const fit =
    cut === 0
      ? `matches ${ratio}`
      : `the model crops it to ${ratio}: ${cut}% of its ${aspect < target ? 'height' : 'width'} is cut (centred)`;
  return { source: photo.source, from: photo.from, width, height, sha256: photo.sha256, fit };
}

/** A segment's request against the catalog (its endpoint and prompt), named by the segment. */
function checkSegmentRequest(id: string, request: { model: string; ratio: string; promptText: string; promptImage?: string }): void {
  const parsed = videoRequestShape.safeParse(request);
  const issues = parsed.success ? catalogIssues(parsed.data) : parsed.error.issues;
  if (issues.length > 0)
    throw new InputError(`segment ${id}`, issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; '));
}

/** s01, s02, … (s100 and on past 99: ids only need to be unique and sort in order up to 99). */
export function segmentId(index: number): string {
  return `s${String(index + 1).padStart(2, '0')}`;
}

/** The brief's model, ratio and image against the catalog, with the catalog's own messages, named brief.<field>. */
function checkBrief(project: BrollProjectFile): { model: ModelId; ratio: string; endpoint: Endpoint } {
  const { model, ratio, promptImage } = project.brief;
  // A stand-in prompt (the real ones are checked per segment once they are built); with photographs the
  // brief is checked as image-to-video, and each segment without one as text-to-video.
  const photographs = project.photos !== undefined || Object.values(project.segments).some((given) => given.photo !== undefined);
  const image = promptImage ?? (photographs ? 'runway://photograph' : undefined);
  const request = { model, ratio, promptText: 'B-roll', ...(image !== undefined ? { promptImage: image } : {}) };
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
  const template = project.brief.promptTemplate ?? '{style}. {keywords}';
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

/** The plan as a readable table: one row per segment, its photograph and prompt (and who wrote it) beneath, and the totals. */
export function describeBrollPlan(plan: BrollPlan): string[] {
  const photos = plan.segments.filter((segment) => segment.photo).length;
  const lines = [
    `B-roll project ${plan.projectId}: ${plan.segments.length} segments from ${plan.transcript.path} (${plan.transcript.format}), ${plan.takesPerSegment} take${plan.takesPerSegment === 1 ? '' : 's'} each`,
    `model ${plan.model} ${plan.ratio}${plan.promptImage ? `, image ${plan.promptImage}` : ''}${photos > 0 ? `, ${photos} archival photograph${photos === 1 ? '' : 's'}` : ''}; style: ${plan.style}`,
    '',
    `${'segment'.padEnd(8)} ${'record in'.padEnd(12)} ${'record out'.padEnd(12)} ${'length'.padStart(7)} ${'clip'.padStart(4)} ${'takes'.padStart(5)} ${'credits'.padStart(7)}  keywords`,
  ];
  for (const segment of plan.segments) {
    const length = `${((segment.recordOutMs - segment.recordInMs) / 1000).toFixed(1)}s`;
    lines.push(
      `${segment.segmentId.padEnd(8)} ${clock(segment.recordInMs).padEnd(12)} ${clock(segment.recordOutMs).padEnd(12)} ${length.padStart(7)} ${`${segment.duration}s`.padStart(4)} ${String(segment.takes).padStart(5)} ${String(segment.estimatedCredits).padStart(7)}  ${segment.keywords.join(', ')}${segment.keywordSource === 'producer' ? ' (producer)' : ''}`,
    );
    if (segment.photo)
      lines.push(
        `${''.padEnd(8)} photograph: ${segment.photo.source} (${segment.photo.width}×${segment.photo.height}; ${segment.photo.fit}) → ${segment.endpoint}`,
      );
    lines.push(`${''.padEnd(8)} prompt (${writerText(segment.prompt)}): ${segment.promptText}`);
  }
  const budget =
    plan.budgetCredits === undefined
      ? ''
      : plan.estimatedCredits > plan.budgetCredits
        ? `; over the budget of ${plan.budgetCredits} credits — some takes will not be generated`
        : `; budget ${plan.budgetCredits} credits`;
  const clips = plan.segments.reduce((sum, segment) => sum + segment.takes, 0);
  lines.push('', `${clips} takes, ${plan.totalSeconds} s of video, ${plan.estimatedCredits} credits at list price for round 1${budget}`);
  return lines;
}

function writerText(prompt: BrollPlanSegment['prompt']): string {
  if (prompt.writer === 'llm') return `llm ${prompt.model ?? ''}`.trim();
  if (prompt.fallback) return `nlp: the language model's was not used, ${prompt.fallback}`;
  return prompt.writer;
}
