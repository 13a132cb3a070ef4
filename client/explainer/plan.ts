import {
  MODEL_CATALOG,
  catalogIssues,
  creditsFor,
  endpointFor,
  imageSourceSchema,
  resolveGenerationOptions,
  resolveRatio,
  speechCreditsFor,
  speechRequestSchema,
  spoken,
  wordCount,
  videoRequestShape,
  type Endpoint,
  type ExplainerFile,
  type ExplainerWorkflowInput,
  type GenerationOptions,
  type ImageRef,
  type ModelId,
  type SpeechModelId,
} from '../../schemas';
import { fitDuration } from '../clip-duration';
import { TfIdfKeywordExtractor } from '../keywords';
import type { PlanContext } from '../plan-context';
import { InputError, inputErrorFromZod } from '../input-error';
import { requestFingerprint } from '../../infra/request-fingerprint';
import type { SafeFetch } from '../../infra/safe-fetch';
import { NlpPromptWriter } from '../prompts/nlp-writer';
import type { PromptWriter } from '../prompts/prompt-writer';
import { explainerVisual } from '../prompts/shapes';
import { checkLocalImage, resolveRequest } from '../stage-image';
import { chunkDistribution, type ChunkDistribution } from './chunk-cuts';
import { chunkId, chunkScript, chunkShape } from './chunks';
import { visualPrompt } from './prompt';
import { readScript, type ScriptFormat } from './script';
import { checkStyleImage, type StyleImageSource } from './style-image';

/**
 * Planning an explainer, before any spend: the script's narration cut at sentence or clause boundaries
 * into chunks a narrator says in about `targetChunkSeconds` (never longer than the model's longest clip,
 * so a clip always covers its voiceover), a visual prompt per chunk, a clip duration fitted to each chunk
 * and the credits of its clip and voiceover. `draftExplainerPlan` (what `explainer plan` prints) needs
 * neither Temporal nor S3; `planExplainer` then stages images and fingerprints every request.
 */

export interface ExplainerPlanChunk {
  chunkId: string;
  /** The script paragraph it comes from (1-based, what `visuals` keys name). */
  paragraph: number;
  text: string;
  words: number;
  /** How long the narration takes at the brief's pace. */
  spokenMs: number;
  keywords: string[];
  promptText: string;
  /** Who wrote the prompt: the paragraph's visual cue, or the shared prompt writer (compromise, or a language model). */
  promptSource: 'cue' | 'nlp' | 'llm';
  /** The language model was asked and its prompt not used: why. */
  promptFallback?: string;
  /** The clip's first frame as the explainer file gives it (the paragraph's image, else the style image); staged only by planExplainer. */
  promptImage?: string;
  /** Where the first frame comes from: the brief's style image, the paragraph's own image, or none (text_to_video). */
  baseFrame: 'style image' | 'paragraph image' | 'none';
  endpoint: Endpoint;
  /** Seconds of the clip: the shortest the model allows that covers the narration. */
  duration: number;
  clipCredits: number;
  voiceoverCredits: number;
}

export interface ExplainerPlan {
  explainerId: string;
  script: { source: string; format: ScriptFormat; paragraphs: number };
  model: ModelId;
  ratio: string;
  style: string;
  voice: string;
  speechModel: SpeechModelId;
  wordsPerSecond: number;
  targetChunkSeconds: number;
  /** The model's longest clip: no chunk is spoken for longer. */
  maxChunkSeconds: number;
  /** The lesson's title: its script's first heading, else the explainer id. */
  title: string;
  language: string;
  styleImage?: string;
  chunks: ExplainerPlanChunk[];
  /** How the chunks' speech lengths fall against the band around the target (4–6 s for 5 s). */
  distribution: ChunkDistribution & { bandMs: [number, number] };
  spokenMs: number;
  clipSeconds: number;
  clipCredits: number;
  speechCredits: number;
  /** List-price credits of one generation of every clip and voiceover. */
  estimatedCredits: number;
  budgetCredits?: number;
  archive: { bucket?: string; prefix?: string };
  options: GenerationOptions;
  burnSubtitles: boolean;
  /** A teacher reviews each chunk before assembly; how many rounds a chunk may take after its first. */
  review: boolean;
  maxReviewRounds?: number;
}

export interface DraftOptions {
  /** The shared prompt writer (compromise unless the environment asks for a language model). */
  writer?: PromptWriter;
  /** How an https style image is fetched to be checked; a strict guarded fetch by default. */
  fetch?: SafeFetch;
}

/** The plan of a validated explainer file; reads the script and checks images, stages nothing. */
export async function draftExplainerPlan(explainer: ExplainerFile, baseDir: string, options: DraftOptions = {}): Promise<ExplainerPlan> {
  const { brief } = explainer;
  const { model, ratio } = checkModel(brief.model, brief.ratio);
  const speechModel = checkVoice(brief.speechModel, brief.voice);
  const script = await readScript(explainer.script, baseDir);
  if (script.paragraphs.length === 0)
    throw new InputError(
      'script',
      `${script.source === 'inline' ? 'the script' : script.source} has no narration: no words outside code and markup`,
    );
  const style = brief.styleImage !== undefined ? await styleImage(brief.styleImage, baseDir, options.fetch) : undefined;
  const visuals = await checkVisuals(explainer, script.paragraphs.length, model, ratio, baseDir, style !== undefined);
  const maxChunkSeconds = Math.max(...MODEL_CATALOG[model].durations);
  const pace = {
    wordsPerSecond: brief.wordsPerSecond,
    targetMs: Math.min(brief.targetChunkSeconds, maxChunkSeconds) * 1000,
    maxMs: maxChunkSeconds * 1000,
  };
  const pieces = chunkScript(script.paragraphs, (paragraph) => visuals.has(paragraph), pace, { model, source: script.source });
  const keywords = new TfIdfKeywordExtractor().extract(pieces.map((piece) => piece.text));
  // The narration is the core of each prompt: the shared writer reads it into subject, action and setting.
  const written = await (options.writer ?? new NlpPromptWriter()).write({
    units: pieces.map((piece) => ({ text: piece.text })),
    shape: explainerVisual,
    style: brief.style,
  });
  const chunks = pieces.map(({ paragraph, text }, index): ExplainerPlanChunk => {
    const id = chunkId(index);
    const visual = visuals.get(paragraph);
    const words = wordCount(text);
    const spokenMs = spoken(words, brief.wordsPerSecond);
    const duration = fitDuration(model, spokenMs);
    const prompt = written[index]!;
    const promptImage = visual?.promptImage ?? style?.source;
    return {
      chunkId: id,
      paragraph,
      text,
      words,
      spokenMs,
      keywords: keywords[index]!,
      promptText: visual?.promptText !== undefined ? visualPrompt(id, paragraph, visual.promptText, brief.style) : prompt.promptText,
      promptSource: visual?.promptText !== undefined ? 'cue' : prompt.writer,
      ...(visual?.promptText === undefined && prompt.fallback ? { promptFallback: prompt.fallback.reason } : {}),
      ...(promptImage !== undefined ? { promptImage } : {}),
      baseFrame: visual?.promptImage !== undefined ? 'paragraph image' : style ? 'style image' : 'none',
      endpoint: endpointFor({ promptImage }),
      duration,
      clipCredits: creditsFor(model, duration),
      voiceoverCredits: speechCreditsFor(speechModel, text),
    };
  });
  const shape = chunkShape(pace);
  const { burnSubtitles, maxReviewRounds, ...generation } = explainer.options;
  const clipCredits = sum(chunks.map((chunk) => chunk.clipCredits));
  const speechCredits = sum(chunks.map((chunk) => chunk.voiceoverCredits));
  return {
    explainerId: explainer.explainerId,
    script: { source: script.source, format: script.format, paragraphs: script.paragraphs.length },
    model,
    ratio,
    style: brief.style,
    voice: brief.voice,
    speechModel,
    wordsPerSecond: brief.wordsPerSecond,
    targetChunkSeconds: brief.targetChunkSeconds,
    maxChunkSeconds,
    title: titleOf(script.paragraphs[0]?.title) ?? explainer.explainerId,
    language: brief.language,
    ...(brief.styleImage !== undefined ? { styleImage: brief.styleImage } : {}),
    chunks,
    distribution: {
      ...chunkDistribution(
        chunks.map((chunk) => chunk.spokenMs),
        shape,
      ),
      bandMs: [shape.minMs, shape.maxMs],
    },
    spokenMs: sum(chunks.map((chunk) => chunk.spokenMs)),
    clipSeconds: sum(chunks.map((chunk) => chunk.duration)),
    clipCredits,
    speechCredits,
    estimatedCredits: clipCredits + speechCredits,
    ...(generation.budgetCredits !== undefined ? { budgetCredits: generation.budgetCredits } : {}),
    archive: explainer.archive,
    options: resolveGenerationOptions(generation),
    burnSubtitles: burnSubtitles ?? false,
    review: explainer.review,
    ...(maxReviewRounds !== undefined ? { maxReviewRounds } : {}),
  };
}

/**
 * The ExplainerWorkflow's input: the draft plan with images staged once each (a local style image is one
 * staged object; an https one is re-hosted by the worker, so Runway gets one upload either way) and every
 * clip and voiceover fingerprinted.
 */
export async function planExplainer(
  explainer: ExplainerFile,
  context: PlanContext,
  options: DraftOptions = {},
): Promise<ExplainerWorkflowInput> {
  const plan = await draftExplainerPlan(explainer, context.baseDir, options);
  const bucket = plan.archive.bucket ?? context.defaultBucket;
  const prefix = plan.archive.prefix ?? context.defaultPrefix;
  const target = { s3: context.s3, bucket, prefix, workloadId: plan.explainerId };
  const staged = new Map<string, ImageRef>();
  const chunks: ExplainerWorkflowInput['chunks'] = [];
  for (const chunk of plan.chunks) {
    const clip = await resolveRequest(
      {
        model: plan.model,
        ratio: plan.ratio,
        duration: chunk.duration,
        promptText: chunk.promptText,
        ...(chunk.promptImage !== undefined ? { promptImage: chunk.promptImage } : {}),
        ...(chunk.baseFrame === 'style image' && /^https:/i.test(chunk.promptImage ?? '') ? { rehostImage: true } : {}),
      },
      target,
      context.baseDir,
      staged,
    );
    const speech = { kind: 'speech' as const, model: plan.speechModel, promptText: chunk.text, voice: plan.voice };
    chunks.push({
      chunkId: chunk.chunkId,
      paragraph: chunk.paragraph,
      text: chunk.text,
      spokenMs: chunk.spokenMs,
      clip: { ...clip, estimatedCredits: chunk.clipCredits },
      voiceover: { request: speech, fingerprint: requestFingerprint(speech), estimatedCredits: chunk.voiceoverCredits },
    });
  }
  return {
    explainerId: plan.explainerId,
    chunks,
    archive: { bucket, prefix },
    options: plan.options,
    ...(plan.budgetCredits !== undefined ? { budgetCredits: plan.budgetCredits } : {}),
    burnSubtitles: plan.burnSubtitles,
    review: plan.review,
    ...(plan.maxReviewRounds !== undefined ? { maxReviewRounds: plan.maxReviewRounds } : {}),
    wordsPerSecond: plan.wordsPerSecond,
    title: plan.title,
    language: plan.language,
    ...(context.taskQueue ? { taskQueue: context.taskQueue } : {}),
  };
}

/** The script's opening heading without its added full stop, within the package title's 200 characters. */
function titleOf(heading: string | undefined): string | undefined {
  const title = heading?.replace(/\.$/, '').trim();
  return title ? title.slice(0, 200) : undefined;
}

async function styleImage(source: string, baseDir: string, fetch: SafeFetch | undefined): Promise<{ source: string }> {
  const checked: StyleImageSource = await checkStyleImage(source, baseDir, fetch);
  return { source: checked.kind === 'url' ? checked.url : checked.source };
}

/** The brief's model and ratio: the model must exist and the ratio be one it takes (as text or image to video). */
function checkModel(modelName: string, ratioName: string): { model: ModelId; ratio: string } {
  const parsed = videoRequestShape.safeParse({ model: modelName, ratio: ratioName, promptText: 'Explainer' });
  if (!parsed.success)
    throw inputErrorFromZod(
      'explainer',
      parsed.error.issues.map((issue) => ({ path: ['brief', ...issue.path], message: issue.message })),
    );
  const model = parsed.data.model;
  const ratio = resolveRatio(model, parsed.data.ratio ?? ratioName);
  const ratios = new Set(Object.values(MODEL_CATALOG[model].endpoints).flatMap((spec) => spec.ratios));
  if (!ratios.has(ratio))
    throw new InputError('brief.ratio', `ratio ${ratioName} is not allowed for ${model}; allowed: ${[...ratios].join(', ')}`);
  return { model, ratio };
}

/** The voice and speech model against the speech catalog, with the catalog's own messages, named brief.<field>. */
function checkVoice(speechModel: string, voice: string): SpeechModelId {
  const parsed = speechRequestSchema.safeParse({ model: speechModel, voice, promptText: 'Explainer' });
  if (!parsed.success)
    throw inputErrorFromZod(
      'explainer',
      parsed.error.issues.map((issue) => ({
        path: ['brief', issue.path[0] === 'model' ? 'speechModel' : 'voice'],
        message: issue.message,
      })),
    );
  return parsed.data.model;
}

/**
 * Visuals by paragraph: each key a paragraph the script has, each image a real one, and every paragraph's
 * request one the model takes (a model without text-to-video needs an image for every paragraph).
 */
async function checkVisuals(
  explainer: ExplainerFile,
  paragraphs: number,
  model: ModelId,
  ratio: string,
  baseDir: string,
  hasStyleImage: boolean,
): Promise<Map<number, { promptText?: string; promptImage?: string }>> {
  const visuals = new Map<number, { promptText?: string; promptImage?: string }>();
  for (const [key, visual] of Object.entries(explainer.visuals)) {
    const paragraph = Number(key);
    if (!/^[1-9]\d*$/.test(key) || paragraph > paragraphs)
      throw new InputError(
        `visuals.${key}`,
        `no paragraph ${key}: the script has ${paragraphs} paragraph${paragraphs === 1 ? '' : 's'}, 1…${paragraphs}`,
      );
    if (visual.promptText === undefined && visual.promptImage === undefined)
      throw new InputError(`visuals.${key}`, 'give a promptText (a visual cue) or a promptImage, or leave the paragraph out');
    if (visual.promptImage !== undefined) {
      const source = imageSourceSchema.safeParse(visual.promptImage);
      if (!source.success) throw new InputError(`visuals.${key}.promptImage`, source.error.issues[0]!.message);
      try {
        await checkLocalImage(visual.promptImage, baseDir);
      } catch (error) {
        if (error instanceof InputError) throw new InputError(`visuals.${key}.promptImage`, error.message.replace(/^promptImage: /, ''));
        throw error;
      }
    }
    visuals.set(paragraph, visual);
  }
  for (let paragraph = 1; paragraph <= paragraphs; paragraph++) {
    // The catalog check needs only whether there is an image: the style image stands for it where the paragraph has none.
    const promptImage = visuals.get(paragraph)?.promptImage ?? (hasStyleImage ? 'https://style.invalid/style.png' : undefined);
    const issue = catalogIssues({ model, ratio, promptText: 'Explainer', ...(promptImage !== undefined ? { promptImage } : {}) })[0];
    if (!issue) continue;
    if (issue.path[0] === 'promptImage' && promptImage === undefined)
      throw new InputError('brief.model', `${issue.message}; give visuals.${paragraph}.promptImage or choose a text-to-video model`);
    if (issue.path[0] === 'ratio')
      throw new InputError(
        'brief.ratio',
        `${issue.message}${promptImage === undefined ? ` (paragraph ${paragraph} has no image)` : ` (paragraph ${paragraph} has an image)`}`,
      );
    throw new InputError(promptImage === undefined ? `brief.${issue.path[0]}` : `visuals.${paragraph}.promptImage`, issue.message);
  }
  return visuals;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The plan as a readable table: one row per chunk, its prompt beneath, and the totals. */
export function describeExplainerPlan(plan: ExplainerPlan): string[] {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const endpoints = [...new Set(plan.chunks.map((chunk) => chunk.endpoint))].join(' + ');
  const lines = [
    `Explainer ${plan.explainerId}: ${plan.chunks.length} chunks from ${plan.script.paragraphs} paragraphs of ${plan.script.source} (${plan.script.format})`,
    `"${plan.title}" (${plan.language}); clips ${plan.model} ${endpoints} ${plan.ratio}; style: ${plan.style}`,
    ...(plan.styleImage !== undefined
      ? [`style image: ${plan.styleImage} (every chunk's first frame unless its paragraph has an image)`]
      : []),
    `voice ${plan.voice} (${plan.speechModel}) at ${plan.wordsPerSecond} words/s; chunks of about ${plan.targetChunkSeconds} s, at most ${plan.maxChunkSeconds} s`,
    plan.review
      ? `review: a teacher approves each chunk (or rejects it with a new prompt, or has its voiceover redone) before the assembly, up to ${plan.maxReviewRounds ?? 3} rounds a chunk`
      : 'review: none (review: false); assembled once every chunk is generated, a failed chunk fails the explainer',
    '',
    `${'chunk'.padEnd(6)} ${'para'.padStart(4)} ${'spoken'.padStart(6)} ${'clip'.padStart(4)} ${'clip cr'.padStart(7)} ${'voice cr'.padStart(8)} ${'first frame'.padEnd(15)}  narration`,
  ];
  for (const chunk of plan.chunks) {
    lines.push(
      `${chunk.chunkId.padEnd(6)} ${String(chunk.paragraph).padStart(4)} ${seconds(chunk.spokenMs).padStart(6)} ${`${chunk.duration}s`.padStart(4)} ${String(chunk.clipCredits).padStart(7)} ${String(chunk.voiceoverCredits).padStart(8)} ${chunk.baseFrame.padEnd(15)}  ${chunk.text}`,
    );
    lines.push(
      `${''.padEnd(6)} prompt (${chunk.promptSource}${chunk.promptFallback ? `, language model not used: ${chunk.promptFallback}` : ''}): ${chunk.promptText}`,
    );
  }
  const budget =
    plan.budgetCredits === undefined
      ? ''
      : plan.estimatedCredits > plan.budgetCredits
        ? `; over the budget of ${plan.budgetCredits} credits — the explainer cannot be completed within it`
        : `; budget ${plan.budgetCredits} credits`;
  const band = plan.distribution.bandMs.map((ms) => ms / 1000).join('–');
  lines.push(
    '',
    `speech per chunk: ${plan.distribution.withinBand} of ${plan.distribution.chunks} chunks within ${band} s; min ${seconds(plan.distribution.minMs)}, median ${seconds(plan.distribution.medianMs)}, max ${seconds(plan.distribution.maxMs)}`,
  );
  lines.push(
    '',
    `${plan.chunks.length} chunks, ${seconds(plan.spokenMs)} of narration, ${plan.clipSeconds} s of video; ${plan.clipCredits} credits for clips + ${plan.speechCredits} for voiceovers = ${plan.estimatedCredits} credits at list price${budget}`,
  );
  return lines;
}
