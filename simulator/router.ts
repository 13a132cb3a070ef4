import { randomUUID } from 'node:crypto';
import { VIDEO_MODELS, type VideoEndpoint } from './contract';
import type { CreateRequest, FieldIssue, Uploads } from './validation';
import { validateCreateBody } from './validation';

/**
 * Runway's Model Router, as SDK 4.20.1's types describe it (resources/routers.d.ts, generate/video.d.ts):
 * a saved config (`POST /v1/routers`) names the models allowed, a per-output credit ceiling, what to
 * optimize for and, opt-in, `fallback.onCapacity`; `POST /v1/generate/video` with the config's slug and a
 * model-agnostic input picks a model and starts an ordinary task. With `onCapacity`, a model the account is
 * at its concurrency limit for is skipped for the next-best eligible one; when every eligible model is at
 * its limit the best-ranked is used and the task queues. The answer's `routing.capacityFallback` says so,
 * and is there only when the config enables it and capacity affected the request.
 *
 * Eligibility is the simulator's own contract table: a model is eligible when the request mapped onto it
 * passes the same validation a direct create does. Ranking is the simulator's stated choice (Runway
 * publishes none): `cost` and `latency` cheapest first, `quality` dearest first, table order on ties.
 */

export interface RouterSettings {
  schemaVersion: 1;
  fallback?: { onCapacity?: boolean };
  maxCreditsPerGeneration?: { audio?: number; image?: number; video?: number };
  models?: { ids: string[]; mode: 'allow_new_except' | 'allowlist_only' };
  optimizeFor?: 'cost' | 'latency' | 'quality';
}

export interface RouterConfig {
  id: string;
  createdAt: string;
  description: string | null;
  name: string;
  settings: RouterSettings;
  slug: string;
  updatedAt: string;
  version: number;
}

const ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
const RESOLUTIONS = ['480p', '720p', '1080p', '4k'] as const;
/** The router's defaults when the input leaves them out (resolvedInput shows them). */
const DEFAULT_DURATION = 5;
const DEFAULT_ASPECT = '16:9';
const DEFAULT_RESOLUTION = '720p';

export type RouterResult<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

/** Validate a `POST /v1/routers` body into a config (slug uniqueness is the store's). */
export function parseRouterConfig(body: unknown, now = new Date()): RouterResult<RouterConfig> {
  if (!isRecord(body)) return fail('The body must be a JSON object.');
  const unknown = Object.keys(body).find((key) => !['slug', 'name', 'description', 'settings'].includes(key));
  if (unknown) return fail(`${unknown}: unknown field; allowed fields: slug, name, description, settings`);
  if (typeof body.slug !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(body.slug)) {
    return fail('slug: must be lower-case letters, digits and hyphens (at most 63), e.g. production-video');
  }
  const settings = parseSettings(body.settings ?? {});
  if (!settings.ok) return settings;
  const at = now.toISOString();
  return {
    ok: true,
    value: {
      id: randomUUID(),
      createdAt: at,
      description: typeof body.description === 'string' ? body.description : null,
      name: typeof body.name === 'string' && body.name ? body.name : body.slug,
      settings: settings.value,
      slug: body.slug,
      updatedAt: at,
      version: 1,
    },
  };
}

function parseSettings(value: unknown): RouterResult<RouterSettings> {
  if (!isRecord(value)) return fail('settings: must be an object');
  const settings: RouterSettings = { schemaVersion: 1 };
  for (const [key, field] of Object.entries(value)) {
    if (key === 'schemaVersion') {
      if (field !== 1) return fail('settings.schemaVersion: must be 1');
    } else if (key === 'optimizeFor') {
      if (field !== 'cost' && field !== 'latency' && field !== 'quality')
        return fail('settings.optimizeFor: must be cost, latency or quality');
      settings.optimizeFor = field;
    } else if (key === 'fallback') {
      if (
        !isRecord(field) ||
        Object.keys(field).some((name) => name !== 'onCapacity') ||
        (field.onCapacity !== undefined && typeof field.onCapacity !== 'boolean')
      ) {
        return fail('settings.fallback: must be { onCapacity?: boolean }');
      }
      settings.fallback = field.onCapacity === undefined ? {} : { onCapacity: field.onCapacity };
    } else if (key === 'maxCreditsPerGeneration') {
      if (
        !isRecord(field) ||
        Object.entries(field).some(([name, cap]) => !['audio', 'image', 'video'].includes(name) || typeof cap !== 'number' || cap <= 0)
      ) {
        return fail('settings.maxCreditsPerGeneration: must be { audio?, image?, video? } positive numbers');
      }
      settings.maxCreditsPerGeneration = field as RouterSettings['maxCreditsPerGeneration'];
    } else if (key === 'models') {
      if (!isRecord(field) || !Array.isArray(field.ids) || (field.mode !== 'allow_new_except' && field.mode !== 'allowlist_only')) {
        return fail('settings.models: must be { ids: string[], mode: allow_new_except | allowlist_only }');
      }
      const unknownModel = field.ids.find((id) => typeof id !== 'string' || !VIDEO_MODELS.has(id));
      if (unknownModel !== undefined) return fail(`settings.models.ids: unknown model ${JSON.stringify(unknownModel)}`);
      settings.models = { ids: field.ids as string[], mode: field.mode };
    } else {
      return fail(`settings.${key}: unknown field; allowed fields: schemaVersion, fallback, maxCreditsPerGeneration, models, optimizeFor`);
    }
  }
  return { ok: true, value: settings };
}

/** What the routed create needs from the simulator: its uploads, workspace models and each model's capacity now. */
export interface RoutingContext {
  uploads: Uploads;
  workspaceModels: readonly string[];
  atCapacity(model: string): boolean;
}

export interface Routed {
  request: CreateRequest;
  routing: {
    configId: string;
    estimatedCost: { credits: number };
    model: string;
    provider: string;
    resolvedInput: { duration: number; ratio: string; resolution: string };
    resolvedSettings: { optimizeFor: 'cost' | 'latency' | 'quality'; priceCeiling: number | null };
    capacityFallback?: { allExhausted: boolean; skipped: string[] };
  };
}

/** Pick the model for a `POST /v1/generate/video` input under a config, and the create request for it. */
export function routeVideo(config: RouterConfig, input: unknown, context: RoutingContext): RouterResult<Routed> {
  if (!isRecord(input)) return fail('input: must be an object');
  const shape = inputProblem(input);
  if (shape) return fail(shape);
  const images = (input.referenceImages as Array<{ role: string; uri: string }> | undefined) ?? [];
  const endpoint: VideoEndpoint = images.some((image) => image.role === 'first') ? 'image_to_video' : 'text_to_video';
  const aspect = (input.aspectRatio as string | undefined) ?? DEFAULT_ASPECT;
  const duration = (input.duration as number | undefined) ?? DEFAULT_DURATION;
  const ceiling = config.settings.maxCreditsPerGeneration?.video ?? null;
  const optimizeFor = config.settings.optimizeFor ?? 'cost';

  const eligible: Array<{ request: CreateRequest; ratio: string; order: number }> = [];
  const rejected: string[] = [];
  [...VIDEO_MODELS.values()].forEach((model, order) => {
    if (!allowed(config.settings.models, model.id) || !context.workspaceModels.includes(model.id)) return;
    const contract = model.endpoints[endpoint];
    if (!contract) return;
    const ratio = contract.ratios === null ? null : ratioFor(contract.ratios, aspect);
    if (ratio === undefined) return void rejected.push(`${model.id}: no ${aspect} ratio`);
    const options = Object.keys(contract.options);
    if (input.audio === true && !options.includes('audio')) return;
    const body: Record<string, unknown> = {
      model: model.id,
      ...(input.promptText !== undefined ? { promptText: input.promptText } : {}),
      ...(endpoint === 'image_to_video' ? { promptImage: promptImageOf(images) } : {}),
      ...(ratio !== null ? { ratio } : {}),
      duration,
      ...(input.audio !== undefined && options.includes('audio') ? { audio: input.audio } : {}),
      ...(input.seed !== undefined && options.includes('seed') ? { seed: input.seed } : {}),
      ...(input.resolution !== undefined ? { resolution: input.resolution } : {}),
      ...(input.negativePrompt !== undefined && options.includes('negativePrompt') ? { negativePrompt: input.negativePrompt } : {}),
      ...(input.contentModeration !== undefined && options.includes('contentModeration')
        ? { contentModeration: input.contentModeration }
        : {}),
    };
    const validation = validateCreateBody(endpoint, body, context.uploads);
    if (validation.issues) return void rejected.push(`${model.id}: ${firstIssue(validation.issues)}`);
    if (ceiling !== null && validation.request.credits > ceiling) return void rejected.push(`${model.id}: over ${ceiling} credits`);
    eligible.push({ request: validation.request, ratio: ratio ?? '1280:720', order });
  });
  if (eligible.length === 0) {
    return {
      ok: false,
      status: 400,
      error: `no_eligible_model: no model the router may use fits this input${rejected.length ? ` (${rejected.slice(0, 5).join('; ')})` : ''}.`,
    };
  }
  const direction = optimizeFor === 'quality' ? -1 : 1;
  eligible.sort((a, b) => direction * (a.request.credits - b.request.credits) || a.order - b.order);

  const onCapacity = config.settings.fallback?.onCapacity === true;
  const full = onCapacity ? eligible.filter((candidate) => context.atCapacity(candidate.request.model)) : [];
  const open = eligible.find((candidate) => !full.includes(candidate));
  const chosen = open ?? eligible[0]!;
  const skipped = open
    ? full.filter((candidate) => candidate.order !== chosen.order && eligible.indexOf(candidate) < eligible.indexOf(chosen))
    : [];
  const affected = onCapacity && (open === undefined || skipped.length > 0);
  return {
    ok: true,
    value: {
      request: chosen.request,
      routing: {
        configId: config.slug,
        estimatedCost: { credits: chosen.request.credits },
        model: chosen.request.model,
        provider: providerOf(chosen.request.model),
        resolvedInput: {
          duration: chosen.request.duration,
          ratio: chosen.ratio,
          resolution: (input.resolution as string | undefined) ?? DEFAULT_RESOLUTION,
        },
        resolvedSettings: { optimizeFor, priceCeiling: ceiling },
        ...(affected
          ? { capacityFallback: { allExhausted: open === undefined, skipped: skipped.map((candidate) => candidate.request.model) } }
          : {}),
      },
    },
  };
}

/** Fields the simulator's router serves; video restyles and audio references are Runway's, not simulated. */
function inputProblem(input: Record<string, unknown>): string | undefined {
  const known = [
    'aspectRatio',
    'audio',
    'contentModeration',
    'duration',
    'negativePrompt',
    'promptText',
    'referenceImages',
    'resolution',
    'seed',
  ];
  const unsupported = ['keyframes', 'referenceAudio', 'referenceVideos'];
  for (const key of Object.keys(input)) {
    if (unsupported.includes(key)) return `input.${key}: not served by the simulator's router (no model here takes it)`;
    if (!known.includes(key)) return `input.${key}: unknown field`;
  }
  if (input.aspectRatio !== undefined && !(ASPECT_RATIOS as readonly unknown[]).includes(input.aspectRatio))
    return `input.aspectRatio: must be one of ${ASPECT_RATIOS.join(', ')}`;
  if (input.resolution !== undefined && !(RESOLUTIONS as readonly unknown[]).includes(input.resolution))
    return `input.resolution: must be one of ${RESOLUTIONS.join(', ')}`;
  if (input.duration !== undefined && (typeof input.duration !== 'number' || !Number.isInteger(input.duration) || input.duration <= 0))
    return 'input.duration: must be a positive integer';
  if (input.audio !== undefined && typeof input.audio !== 'boolean') return 'input.audio: must be a boolean';
  if (input.referenceImages !== undefined) {
    if (!Array.isArray(input.referenceImages)) return 'input.referenceImages: must be an array';
    const roles: string[] = [];
    for (const [index, image] of input.referenceImages.entries()) {
      if (!isRecord(image) || typeof image.uri !== 'string' || !['first', 'last', 'reference'].includes(image.role as string)) {
        return `input.referenceImages.${index}: must be { role: first | last | reference, uri }`;
      }
      roles.push(image.role as string);
    }
    if (roles.filter((role) => role === 'first').length > 1 || roles.filter((role) => role === 'last').length > 1)
      return 'input.referenceImages: at most one first and one last';
  }
  if (input.promptText === undefined && !(input.referenceImages as unknown[] | undefined)?.length)
    return 'input: needs promptText or referenceImages';
  return undefined;
}

/** The model's ratio of the requested aspect: its named aspect, or the first pixel ratio of that shape. */
function ratioFor(ratios: readonly string[], aspect: string): string | undefined {
  if (ratios.includes(aspect)) return aspect;
  const [w, h] = aspect.split(':').map(Number) as [number, number];
  return ratios.find((ratio) => {
    const match = /^(\d+):(\d+)$/.exec(ratio);
    return match !== null && Math.abs(Number(match[1]) / Number(match[2]) - w / h) < 0.02;
  });
}

function promptImageOf(images: Array<{ role: string; uri: string }>): string | Array<{ uri: string; position?: 'first' | 'last' }> {
  if (images.length === 1 && images[0]!.role === 'first') return images[0]!.uri;
  return images.map((image) =>
    image.role === 'reference' ? { uri: image.uri } : { uri: image.uri, position: image.role as 'first' | 'last' },
  );
}

function allowed(models: RouterSettings['models'], id: string): boolean {
  if (!models) return true;
  return models.mode === 'allowlist_only' ? models.ids.includes(id) : !models.ids.includes(id);
}

/** Who makes the model (the answer's `provider`). */
function providerOf(model: string): string {
  const prefixes: Array<[string, string]> = [
    ['gen', 'runway'],
    ['veo', 'google'],
    ['gemini', 'google'],
    ['seedance', 'bytedance'],
    ['hailuo', 'minimax'],
    ['wan', 'alibaba'],
    ['happyhorse', 'alibaba'],
    ['grok', 'xai'],
  ];
  return prefixes.find(([prefix]) => model.startsWith(prefix))?.[1] ?? 'runway';
}

function firstIssue(issues: FieldIssue[]): string {
  const issue = issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid';
}

function fail(error: string): { ok: false; status: number; error: string } {
  return { ok: false, status: 400, error };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
