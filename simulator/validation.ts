import {
  creditsFor,
  MAX_PROMPT_TEXT_LENGTH,
  MAX_SEED,
  MODEL_CATALOG,
  modelIdSchema,
  type Endpoint,
  type ModelId,
  type ModelSpec,
} from '../schemas';
import { imageUriProblem } from './image-input';
import { speechCredits, speechSeconds, validateSpeechBody } from './speech';
import type { SimEndpoint, SimModel } from './task';

export interface PromptImageItem {
  uri: string;
  position: 'first' | 'last';
}

/** A create request that passed every check, with the catalog's default duration (or the speech's length) and its price filled in. */
export interface CreateRequest {
  endpoint: SimEndpoint;
  model: SimModel;
  promptText?: string;
  promptImage?: string | PromptImageItem[];
  /** Video only. */
  ratio?: string;
  duration: number;
  /** Speech only: the voice preset id. */
  voice?: string;
  credits: number;
  seed?: number;
  audio?: boolean;
  contentModeration?: { publicFigureThreshold?: 'auto' | 'low' };
}

export interface FieldIssue {
  path: Array<string | number>;
  message: string;
}

export type CreateValidation = { request: CreateRequest; issues?: undefined } | { issues: FieldIssue[] };

const COMMON_FIELDS = ['model', 'promptText', 'ratio', 'duration', 'seed', 'audio', 'contentModeration'];
const FIELDS: Record<Endpoint, readonly string[]> = {
  image_to_video: [...COMMON_FIELDS, 'promptImage'],
  text_to_video: COMMON_FIELDS,
};

type Body = Record<string, unknown>;

/** Validate a POST /v1/image_to_video or /v1/text_to_video body against the model catalog. */
export function validateCreateBody(endpoint: Endpoint, body: unknown): CreateValidation {
  if (!isRecord(body)) return { issues: [{ path: [], message: 'the body must be a JSON object' }] };
  const issues: FieldIssue[] = [];
  const add = (path: FieldIssue['path'], message: string) => issues.push({ path, message });
  checkUnknownFields(endpoint, body, add);
  const spec = checkModel(endpoint, body.model, add);
  if (spec) checkModelOptions(endpoint, spec, body, add);
  checkPromptText(endpoint, body.promptText, add);
  checkSeed(body.seed, add);
  if (issues.length > 0) return { issues };
  return { request: toRequest(endpoint, body, spec as ModelSpec) };
}

/** Validate a POST /v1/text_to_speech body (simulator/speech.ts has the SDK's contract). */
export function validateSpeechCreateBody(body: unknown): CreateValidation {
  if (!isRecord(body)) return { issues: [{ path: [], message: 'the body must be a JSON object' }] };
  const result = validateSpeechBody(body);
  if ('issues' in result) return { issues: result.issues };
  const { model, promptText, voice } = result.request;
  return {
    request: {
      endpoint: 'text_to_speech',
      model,
      promptText,
      voice,
      duration: speechSeconds(promptText),
      credits: speechCredits(promptText),
    },
  };
}

/** One line naming every offending field. */
export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

type Add = (path: FieldIssue['path'], message: string) => void;

function checkUnknownFields(endpoint: Endpoint, body: Body, add: Add): void {
  for (const key of Object.keys(body)) {
    if (!FIELDS[endpoint].includes(key)) add([key], `unknown field for ${endpoint}; allowed fields: ${FIELDS[endpoint].join(', ')}`);
  }
}

function checkModel(endpoint: Endpoint, model: unknown, add: Add): ModelSpec | undefined {
  const serving = modelsFor(endpoint).join(', ');
  const parsed = modelIdSchema.safeParse(model);
  if (!parsed.success) {
    add(['model'], `${JSON.stringify(model ?? null)} is not a known model for ${endpoint}; allowed: ${serving}`);
    return undefined;
  }
  const spec = MODEL_CATALOG[parsed.data];
  if (!spec.endpoints[endpoint]) {
    add(['model'], `${spec.id} does not support ${endpoint}; allowed: ${serving}`);
    return undefined;
  }
  return spec;
}

function modelsFor(endpoint: Endpoint): ModelId[] {
  return Object.values(MODEL_CATALOG)
    .filter((spec) => spec.endpoints[endpoint] !== undefined)
    .map((spec) => spec.id);
}

function checkModelOptions(endpoint: Endpoint, spec: ModelSpec, body: Body, add: Add): void {
  checkRatio(endpoint, spec, body.ratio, add);
  checkDuration(spec, body.duration, add);
  if (body.audio !== undefined && (typeof body.audio !== 'boolean' || !spec.supportsAudio)) {
    add(['audio'], spec.supportsAudio ? 'must be a boolean' : `${spec.id} does not support audio`);
  }
  if (body.contentModeration !== undefined) checkContentModeration(spec, body.contentModeration, add);
  if (endpoint === 'image_to_video') checkPromptImage(spec, body.promptImage, add);
}

function checkRatio(endpoint: Endpoint, spec: ModelSpec, ratio: unknown, add: Add): void {
  const allowed = spec.endpoints[endpoint]?.ratios ?? [];
  if (typeof ratio !== 'string' || !allowed.includes(ratio)) {
    add(['ratio'], `${JSON.stringify(ratio ?? null)} is not allowed for ${spec.id} ${endpoint}; allowed: ${allowed.join(', ')}`);
  }
}

function checkDuration(spec: ModelSpec, duration: unknown, add: Add): void {
  if (duration === undefined) return;
  if (typeof duration !== 'number' || !spec.durations.includes(duration)) {
    add(['duration'], `${JSON.stringify(duration)} is not allowed for ${spec.id}; allowed: ${spec.durations.join(', ')}`);
  }
}

function checkContentModeration(spec: ModelSpec, value: unknown, add: Add): void {
  if (!spec.supportsContentModeration) return add(['contentModeration'], `${spec.id} does not support contentModeration`);
  if (!isRecord(value)) return add(['contentModeration'], 'must be an object');
  for (const key of Object.keys(value)) {
    if (key !== 'publicFigureThreshold') add(['contentModeration', key], 'unknown field; allowed fields: publicFigureThreshold');
  }
  const threshold = value.publicFigureThreshold;
  if (threshold !== undefined && threshold !== 'auto' && threshold !== 'low') {
    add(['contentModeration', 'publicFigureThreshold'], `${JSON.stringify(threshold)} is not allowed; allowed: auto, low`);
  }
}

function checkPromptImage(spec: ModelSpec, value: unknown, add: Add): void {
  if (value === undefined) return add(['promptImage'], 'is required for image_to_video');
  if (typeof value === 'string') return checkImageUri(['promptImage'], value, add);
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) {
    return add(['promptImage'], 'must be an image URI or an array of 1 or 2 {uri, position} objects');
  }
  const positions = new Set<unknown>();
  value.forEach((item, index) => {
    checkPromptImageItem(spec, item, ['promptImage', index], add);
    if (isRecord(item) && positions.has(item.position)) add(['promptImage', index, 'position'], 'each position may appear once');
    if (isRecord(item)) positions.add(item.position);
  });
}

function checkPromptImageItem(spec: ModelSpec, item: unknown, path: FieldIssue['path'], add: Add): void {
  if (!isRecord(item)) return add(path, 'must be an object {uri, position}');
  for (const key of Object.keys(item)) {
    if (key !== 'uri' && key !== 'position') add([...path, key], 'unknown field; allowed fields: uri, position');
  }
  const positions = spec.supportsLastFrame ? ['first', 'last'] : ['first'];
  if (typeof item.position !== 'string' || !positions.includes(item.position)) {
    add([...path, 'position'], `${JSON.stringify(item.position ?? null)} is not allowed for ${spec.id}; allowed: ${positions.join(', ')}`);
  }
  if (typeof item.uri !== 'string') return add([...path, 'uri'], 'must be a string');
  checkImageUri([...path, 'uri'], item.uri, add);
}

function checkImageUri(path: FieldIssue['path'], uri: string, add: Add): void {
  const problem = imageUriProblem(uri);
  if (problem) add(path, problem);
}

function checkPromptText(endpoint: Endpoint, text: unknown, add: Add): void {
  if (text === undefined) {
    if (endpoint === 'text_to_video') add(['promptText'], 'is required for text_to_video');
    return;
  }
  if (typeof text !== 'string' || text.trim().length === 0) return add(['promptText'], 'must be a non-empty string');
  if (text.length > MAX_PROMPT_TEXT_LENGTH) {
    add(['promptText'], `is ${text.length} UTF-16 code units; the limit is ${MAX_PROMPT_TEXT_LENGTH}`);
  }
}

function checkSeed(seed: unknown, add: Add): void {
  if (seed === undefined) return;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    add(['seed'], `must be an integer from 0 to ${MAX_SEED}`);
  }
}

function toRequest(endpoint: Endpoint, body: Body, spec: ModelSpec): CreateRequest {
  return {
    endpoint,
    model: spec.id,
    promptText: body.promptText as string | undefined,
    promptImage: body.promptImage as CreateRequest['promptImage'],
    ratio: body.ratio as string,
    duration: (body.duration as number | undefined) ?? spec.defaultDuration,
    credits: creditsFor(spec.id, (body.duration as number | undefined) ?? spec.defaultDuration),
    seed: body.seed as number | undefined,
    audio: body.audio as boolean | undefined,
    contentModeration: body.contentModeration as CreateRequest['contentModeration'],
  };
}

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
