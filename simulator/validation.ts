import {
  modelsServing,
  RETIRED_MODELS,
  VIDEO_MODELS,
  videoCredits,
  type DurationContract,
  type ModelContract,
  type PromptImageContract,
  type VideoEndpoint,
  type VideoEndpointContract,
} from './contract';
import { imageUriProblem } from './image-input';
import { speechCredits, speechSeconds, validateSpeechBody } from './speech';
import type { SimEndpoint, SimModel } from './task';
import type { UploadStore } from './uploads';
export interface PromptImageItem {
  uri: string;
  position?: 'first' | 'last';
}

/** A create request that passed every check, with the contract's default duration (or the speech's length) and its price filled in. */
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

type Body = Record<string, unknown>;
/** What `runway://` URIs resolve through: the simulator's ephemeral uploads. */
export type Uploads = Pick<UploadStore, 'resolve'>;

/** Validate a POST /v1/image_to_video or /v1/text_to_video body against the simulator's contract table. */
export function validateCreateBody(endpoint: VideoEndpoint, body: unknown, uploads: Uploads): CreateValidation {
  if (!isRecord(body)) return { issues: [{ path: [], message: 'the body must be a JSON object' }] };
  const issues: FieldIssue[] = [];
  const add = (path: FieldIssue['path'], message: string) => issues.push({ path, message });
  const model = checkModel(endpoint, body.model, add);
  const contract = model?.endpoints[endpoint];
  if (!model || !contract) return { issues };
  checkUnknownFields(endpoint, model, contract, body, add);
  checkPromptText(endpoint, contract, body.promptText, add);
  checkRatio(endpoint, model, contract, body.ratio, add);
  const duration = checkDuration(model, contract.duration, body.duration, add);
  for (const [field, check] of Object.entries(contract.options)) {
    if (body[field] === undefined) continue;
    const problem = check(body[field]);
    if (problem) add([field], problem);
  }
  for (const field of ['referenceAudio', 'references', 'referenceVideos']) checkReferenceUris(field, body[field], uploads, add);
  if (contract.promptImage) checkPromptImage(model, contract.promptImage, body.promptImage, uploads, add);
  if (issues.length > 0 || duration === undefined) return { issues };
  return { request: toRequest(endpoint, body, model, duration) };
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

function checkModel(endpoint: VideoEndpoint, model: unknown, add: Add): ModelContract | undefined {
  const serving = modelsServing(endpoint).join(', ');
  if (typeof model === 'string' && RETIRED_MODELS[model]) {
    add(['model'], RETIRED_MODELS[model]);
    return undefined;
  }
  const contract = typeof model === 'string' ? VIDEO_MODELS.get(model) : undefined;
  if (!contract) {
    add(['model'], `${JSON.stringify(model ?? null)} is not a known model for ${endpoint}; allowed: ${serving}`);
    return undefined;
  }
  if (!contract.endpoints[endpoint]) {
    add(['model'], `${contract.id} does not support ${endpoint}; allowed: ${serving}`);
    return undefined;
  }
  return contract;
}

/** Fields outside the model's shape are refused, as the SDK's types allow none. */
function checkUnknownFields(endpoint: VideoEndpoint, model: ModelContract, contract: VideoEndpointContract, body: Body, add: Add): void {
  const allowed = [
    'model',
    'promptText',
    'duration',
    ...(contract.ratios ? ['ratio'] : []),
    ...(contract.promptImage ? ['promptImage'] : []),
    ...Object.keys(contract.options),
  ];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) add([key], `unknown field for ${model.id} ${endpoint}; allowed fields: ${allowed.join(', ')}`);
  }
}

function checkPromptText(endpoint: VideoEndpoint, contract: VideoEndpointContract, text: unknown, add: Add): void {
  if (text === undefined) {
    if (contract.promptText === 'required') add(['promptText'], `is required for this model on ${endpoint}`);
    return;
  }
  if (typeof text !== 'string' || text.trim().length === 0) return add(['promptText'], 'must be a non-empty string');
  if (text.length > contract.promptTextMax) {
    add(['promptText'], `is ${text.length} UTF-16 code units; the limit is ${contract.promptTextMax}`);
  }
}

function checkRatio(endpoint: VideoEndpoint, model: ModelContract, contract: VideoEndpointContract, ratio: unknown, add: Add): void {
  if (!contract.ratios || (ratio === undefined && !contract.ratioRequired)) return;
  if (typeof ratio !== 'string' || !contract.ratios.includes(ratio)) {
    add(['ratio'], `${JSON.stringify(ratio ?? null)} is not allowed for ${model.id} ${endpoint}; allowed: ${contract.ratios.join(', ')}`);
  }
}

/** The seconds to generate and bill, or undefined after recording why the duration is refused. */
function checkDuration(model: ModelContract, contract: DurationContract, duration: unknown, add: Add): number | undefined {
  const allowed = contract.values
    ? contract.values.join(', ')
    : `an integer from ${contract.min} to ${contract.max}${contract.auto ? ', or auto' : ''}`;
  if (duration === undefined) {
    if (!contract.required) return contract.default;
    add(['duration'], `is required for ${model.id}; allowed: ${allowed}`);
    return undefined;
  }
  // `auto` lets the model choose; Runway bills it at the maximum up front.
  if (duration === 'auto' && contract.auto && contract.max !== undefined) return contract.max;
  const fits =
    typeof duration === 'number' &&
    Number.isInteger(duration) &&
    (contract.values ? contract.values.includes(duration) : duration >= (contract.min ?? 1) && duration <= (contract.max ?? Infinity));
  if (!fits) {
    add(['duration'], `${JSON.stringify(duration)} is not allowed for ${model.id}; allowed: ${allowed}`);
    return undefined;
  }
  return duration;
}

function checkPromptImage(model: ModelContract, contract: PromptImageContract, value: unknown, uploads: Uploads, add: Add): void {
  if (value === undefined) return add(['promptImage'], 'is required for image_to_video');
  if (typeof value === 'string') return checkImageUri(['promptImage'], value, uploads, add);
  if (!Array.isArray(value) || value.length < 1 || value.length > contract.maxItems) {
    return add(['promptImage'], `must be an image URI or an array of 1 to ${contract.maxItems} {uri, position} objects`);
  }
  const positions = new Set<unknown>();
  value.forEach((item, index) => {
    checkPromptImageItem(model, contract, item, ['promptImage', index], uploads, add);
    if (isRecord(item) && item.position !== undefined && positions.has(item.position))
      add(['promptImage', index, 'position'], 'each position may appear once');
    if (isRecord(item)) positions.add(item.position);
  });
  if (positions.has(undefined) && positions.size > 1)
    add(['promptImage'], 'keyframes (with position) and reference images (without) cannot be mixed');
  // "This model does not support generating with only a last frame."
  if (positions.has('last') && !positions.has('first')) add(['promptImage'], 'a last frame requires a first frame');
}

function checkPromptImageItem(
  model: ModelContract,
  contract: PromptImageContract,
  item: unknown,
  path: FieldIssue['path'],
  uploads: Uploads,
  add: Add,
): void {
  if (!isRecord(item)) return add(path, 'must be an object {uri, position}');
  for (const key of Object.keys(item)) {
    if (key !== 'uri' && key !== 'position') add([...path, key], 'unknown field; allowed fields: uri, position');
  }
  const optional = contract.references && item.position === undefined;
  if (!optional && (typeof item.position !== 'string' || !(contract.positions as readonly string[]).includes(item.position))) {
    add(
      [...path, 'position'],
      `${JSON.stringify(item.position ?? null)} is not allowed for ${model.id}; allowed: ${contract.positions.join(', ')}`,
    );
  }
  if (typeof item.uri !== 'string') return add([...path, 'uri'], 'must be a string');
  checkImageUri([...path, 'uri'], item.uri, uploads, add);
}

function checkImageUri(path: FieldIssue['path'], uri: string, uploads: Uploads, add: Add): void {
  const problem = imageUriProblem(uri, uploads);
  if (problem) add(path, problem);
}

/** A reference's `runway://` URI must name a live upload, like a prompt image's. */
function checkReferenceUris(field: string, value: unknown, uploads: Uploads, add: Add): void {
  if (!Array.isArray(value)) return;
  value.forEach((item, index) => {
    const uri = isRecord(item) ? item.uri : undefined;
    if (typeof uri === 'string' && /^runway:/i.test(uri) && !uploads.resolve(uri))
      add([field, index, 'uri'], `unknown or expired upload URI: ${uri}`);
  });
}

function toRequest(endpoint: VideoEndpoint, body: Body, model: ModelContract, duration: number): CreateRequest {
  const audio = body.audio as boolean | undefined;
  return {
    endpoint,
    model: model.id,
    promptText: body.promptText as string | undefined,
    promptImage: body.promptImage as CreateRequest['promptImage'],
    ratio: body.ratio as string | undefined,
    duration,
    credits: videoCredits(model, duration, audio),
    seed: body.seed as number | undefined,
    audio,
    contentModeration: body.contentModeration as CreateRequest['contentModeration'],
  };
}

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
