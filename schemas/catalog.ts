// One file on purpose: the model catalog is data (each model's endpoints, ratios, durations and prices), kept
// whole so it reads as Runway's own table.
// No zod here (its schemas are in model-ids.ts): workflows price requests from this table
// (workflows/workload-schemas.ts says why that matters).
import type { Endpoint, ModelId, SpeechModelId } from './model-ids';

/**
 * The model catalog: what each Runway model accepts and what it costs.
 * Kept as data so the client, the workflows' budget check and the simulator agree.
 *
 * Sources: request shapes from the official `@runwayml/sdk` (resources/image-to-video.d.ts,
 * resources/text-to-video.d.ts); retired models (gen3a_turbo, …) are refused with their replacement.
 * Credits are list prices per second of output, each with its source below (MODEL_DATA).
 */
export const ENDPOINTS = ['image_to_video', 'text_to_video'] as const;
/** Every create endpoint the product POSTs to: a video endpoint, or text_to_speech. */
export type RunwayEndpoint = Endpoint | 'text_to_speech';

/** Every image_to_video / text_to_video model of the pinned SDK (ImageToVideoCreateParams / TextToVideoCreateParams). */
export const MODEL_IDS = [
  'gen4_turbo',
  'gen4.5',
  'veo3.1',
  'veo3.1_fast',
  'hailuo3',
  'happyhorse_1_0',
  'seedance2',
  'seedance2_fast',
  'seedance2_mini',
  'gemini_omni_flash',
  'seedance2_5',
  'grok_imagine_1_5',
  'wan3',
  'gemini_omni_flash_1.1',
  'wan3_prime',
  'h3_max',
] as const;

/**
 * Models Runway retired (gone from the SDK; the API refuses them), each with the model to use instead.
 * Refused at validation, before anything starts, with a message naming the replacement.
 */
export const RETIRED_MODELS: Readonly<Record<string, string>> = {
  gen3a_turbo: 'gen4_turbo',
  gen4: 'gen4_turbo',
  veo3: 'veo3.1',
};

export function retiredModelMessage(model: string): string | undefined {
  const replacement = RETIRED_MODELS[model];
  return replacement === undefined ? undefined : `${model} was retired by Runway; use ${replacement}`;
}

/** Optional request fields the product forwards, where the SDK declares them for the model and endpoint. */
export const OPTIONAL_PARAMS = ['seed', 'audio', 'negativePrompt', 'contentModeration', 'resolution'] as const;
export type OptionalParam = (typeof OPTIONAL_PARAMS)[number];

export interface EndpointSpec {
  /** The SDK's ratio literals the product accepts (empty: the model takes no ratio, its output follows the image). */
  ratios: readonly string[];
  /**
   * SDK ratio literals the product refuses: `adaptive` / `auto_*` let the model pick the size, so the request
   * would not say what it produces. Kept here so the SDK check sees every literal accounted for.
   */
  unsupportedRatios?: readonly string[];
  /** Whether the SDK requires `ratio` (the product asks for a ratio wherever the model takes one). */
  ratioRequired: boolean;
  /** Whether the SDK requires `promptText` on this endpoint (text_to_video always needs it in the product). */
  promptTextRequired: boolean;
  /** Whether the SDK requires `duration` (the product always sends one: the request's or the default). */
  durationRequired: boolean;
  /** promptText limit in UTF-16 code units: the SDK's where it states one, else the product's 1000. */
  maxPromptTextLength: number;
  /** Optional fields of OPTIONAL_PARAMS the SDK declares here. */
  params: readonly OptionalParam[];
  /** `resolution` values (the SDK's, without its deprecated upper-case spellings). */
  resolutions?: readonly string[];
}

/**
 * Durations in whole seconds: the SDK's literal union (`values`), or a range. `source` says where a range comes
 * from: `sdk` (the field's literal union or doc comment), `docs` (Runway's docs / model pages; the SDK types say only `number`),
 * `assumed` (nothing found: a narrow range the model is known to take, to be confirmed). `auto` (seedance2*,
 * gemini_omni_flash_1.1) is not supported by the product: the clip length and its price must be known up front.
 */
export type DurationSpec =
  | { kind: 'values'; values: readonly number[]; source: DurationSource }
  | { kind: 'range'; min: number; max: number; source: DurationSource };
export type DurationSource = 'sdk' | 'docs' | 'assumed';

export interface ModelSpec {
  id: ModelId;
  /** Endpoints the model serves, with what each accepts. */
  endpoints: Partial<Record<Endpoint, EndpointSpec>>;
  duration: DurationSpec;
  /** Every duration the product accepts, in seconds (from `duration`). */
  durations: readonly number[];
  defaultDuration: number;
  /** List price per second of output (the highest tier where the price depends on resolution/audio). */
  creditsPerSecond: number;
  /** Where creditsPerSecond comes from: `list` (a published price) or `estimate` (none found; a high guess). */
  priceSource: 'list' | 'estimate';
  /** Whether the model accepts `audio` on any endpoint. */
  supportsAudio: boolean;
  /** Whether `promptImage` may carry a `last` frame position (the product sends a single first frame today). */
  supportsLastFrame: boolean;
  supportsContentModeration: boolean;
}

const GEN4_RATIOS = ['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'] as const;
const VEO_RATIOS = ['1280:720', '720:1280', '1080:1920', '1920:1080'] as const;
const SEEDANCE_720P_RATIOS = [
  '992:432',
  '864:496',
  '752:560',
  '640:640',
  '560:752',
  '496:864',
  '1470:630',
  '1280:720',
  '1112:834',
  '960:960',
  '834:1112',
  '720:1280',
] as const;
const SEEDANCE2_RATIOS = [
  ...SEEDANCE_720P_RATIOS,
  '2206:946',
  '1920:1080',
  '1664:1248',
  '1440:1440',
  '1248:1664',
  '1080:1920',
  '3840:1646',
  '3840:2160',
  '3840:2880',
  '3840:3840',
  '2880:3840',
  '2160:3840',
] as const;
const SEEDANCE2_5_RATIOS = [
  '992:432',
  '854:480',
  '752:560',
  '640:640',
  '560:752',
  '480:854',
  '1470:630',
  '1280:720',
  '1112:834',
  '960:960',
  '834:1112',
  '720:1280',
  '2206:946',
  '1920:1080',
  '1664:1248',
  '1440:1440',
  '1248:1664',
  '1080:1920',
] as const;
const WAN3_RATIOS = [
  '832:480',
  '720:544',
  '624:624',
  '544:720',
  '480:832',
  '1280:720',
  '1104:832',
  '960:960',
  '832:1104',
  '720:1280',
  '1920:1080',
  '1648:1248',
  '1440:1440',
  '1248:1648',
  '1080:1920',
] as const;
const WAN3_AUTO = ['auto_480p', 'auto_720p', 'auto_1080p'] as const;
const HAILUO3_RATIOS = ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'] as const;
const GEMINI_FLASH_1_1_RATIOS = ['640:360', '360:640', '1280:720', '720:1280', '1920:1080', '1080:1920', '3840:2160', '2160:3840'] as const;
const HAPPYHORSE_T2V_RATIOS = [
  '1280:720',
  '720:1280',
  '960:960',
  '1108:832',
  '832:1108',
  '1920:1080',
  '1080:1920',
  '1440:1440',
  '1662:1248',
  '1248:1662',
] as const;
const GROK_T2V_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'] as const;

const PRODUCT_MAX_PROMPT = 1000;

function endpoint(spec: Partial<EndpointSpec> & Pick<EndpointSpec, 'ratios' | 'params'>): EndpointSpec {
  return { ratioRequired: false, promptTextRequired: false, durationRequired: false, maxPromptTextLength: PRODUCT_MAX_PROMPT, ...spec };
}

function range(min: number, max: number, source: DurationSource): DurationSpec {
  return { kind: 'range', min, max, source };
}

function values(list: readonly number[], source: DurationSource): DurationSpec {
  return { kind: 'values', values: list, source };
}

type ModelData = Omit<ModelSpec, 'id' | 'durations' | 'supportsAudio' | 'supportsContentModeration'>;

/**
 * The data, per model and endpoint, from the SDK 4.20.1 .d.ts files (test/unit/catalog-sdk.test.ts fails on
 * any drift). Prices (1 credit = USD 0.01):
 * - gen4.5 12, gen4_turbo 5, veo3.1 20–40 (40 with audio), veo3.1_fast 10–15 (15 with audio): Runway's API
 *   reference, https://github.com/runwayml/skills/blob/main/skills/rw-api-reference/SKILL.md
 *   (docs.dev.runwayml.com "Pricing" summarised by Runway).
 * - seedance2 36: Runway's video integration guide,
 *   https://skill4agent.com/en/skill/runwayml-skills/rw-integrate-video (runwayml/skills rw-integrate-video).
 * - seedance2_fast 29 and seedance2_5 30 (720p, minimum 80 per task): only third-party notes quoting
 *   docs.dev.runwayml.com; flagged `estimate` and set higher (1080p and the minimum are not modelled).
 * - every other new model: no published price found; a conservative estimate of 60 credits/s (above the dearest
 *   known, veo3.1 with audio), flagged `estimate`. Check current prices before budgeting real money: the
 *   campaign ledger settles with what Runway billed, so a high estimate only reserves too much.
 * Durations the SDK types leave as `number`: seedance2* 4–15 (useapi.net's Runway model table,
 * https://useapi.net/docs/api-runwayml-v1/post-runwayml-videos-create), happyhorse_1_0 3–15 (same source);
 * gen4_turbo 5 or 10 (shared/runway-contract.md); the rest `assumed`.
 */
const MODEL_DATA: Readonly<Record<ModelId, ModelData>> = {
  'gen4.5': {
    endpoints: {
      image_to_video: endpoint({
        ratios: GEN4_RATIOS,
        ratioRequired: true,
        promptTextRequired: true,
        durationRequired: true,
        params: ['seed', 'contentModeration'],
      }),
      text_to_video: endpoint({
        ratios: ['1280:720', '720:1280'],
        ratioRequired: true,
        promptTextRequired: true,
        durationRequired: true,
        params: ['seed', 'contentModeration'],
      }),
    },
    duration: range(2, 10, 'sdk'),
    defaultDuration: 5,
    creditsPerSecond: 12,
    priceSource: 'list',
    supportsLastFrame: false,
  },
  gen4_turbo: {
    endpoints: { image_to_video: endpoint({ ratios: GEN4_RATIOS, ratioRequired: true, params: ['seed', 'contentModeration'] }) },
    duration: values([5, 10], 'docs'),
    defaultDuration: 10,
    creditsPerSecond: 5,
    priceSource: 'list',
    supportsLastFrame: false,
  },
  'veo3.1': {
    endpoints: {
      image_to_video: endpoint({ ratios: VEO_RATIOS, ratioRequired: true, params: ['seed', 'audio', 'negativePrompt'] }),
      text_to_video: endpoint({
        ratios: VEO_RATIOS,
        ratioRequired: true,
        promptTextRequired: true,
        params: ['seed', 'audio', 'negativePrompt'],
      }),
    },
    duration: values([4, 6, 8], 'sdk'),
    defaultDuration: 8,
    creditsPerSecond: 40,
    priceSource: 'list',
    supportsLastFrame: true,
  },
  'veo3.1_fast': {
    endpoints: {
      image_to_video: endpoint({ ratios: VEO_RATIOS, ratioRequired: true, params: ['seed', 'audio', 'negativePrompt'] }),
      text_to_video: endpoint({
        ratios: VEO_RATIOS,
        ratioRequired: true,
        promptTextRequired: true,
        params: ['seed', 'audio', 'negativePrompt'],
      }),
    },
    duration: values([4, 6, 8], 'sdk'),
    defaultDuration: 8,
    creditsPerSecond: 15,
    priceSource: 'list',
    supportsLastFrame: true,
  },
  hailuo3: {
    endpoints: {
      image_to_video: endpoint({
        ratios: HAILUO3_RATIOS,
        unsupportedRatios: ['adaptive'],
        promptTextRequired: true,
        params: ['resolution'],
        resolutions: ['768p', '2k'],
      }),
      text_to_video: endpoint({
        ratios: HAILUO3_RATIOS,
        unsupportedRatios: ['adaptive'],
        promptTextRequired: true,
        params: ['resolution'],
        resolutions: ['768p', '2k'],
      }),
    },
    duration: values([6, 10], 'assumed'),
    defaultDuration: 6,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
  happyhorse_1_0: {
    endpoints: {
      image_to_video: endpoint({ ratios: [], maxPromptTextLength: 2500, params: ['resolution'], resolutions: ['720p', '1080p'] }),
      text_to_video: endpoint({ ratios: HAPPYHORSE_T2V_RATIOS, promptTextRequired: true, maxPromptTextLength: 2500, params: [] }),
    },
    duration: range(3, 15, 'docs'),
    defaultDuration: 5,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: false,
  },
  seedance2: {
    endpoints: {
      image_to_video: endpoint({ ratios: SEEDANCE2_RATIOS, maxPromptTextLength: 3500, params: ['seed', 'audio'] }),
      text_to_video: endpoint({ ratios: SEEDANCE2_RATIOS, promptTextRequired: true, maxPromptTextLength: 3500, params: ['seed', 'audio'] }),
    },
    duration: range(4, 15, 'docs'),
    defaultDuration: 5,
    creditsPerSecond: 36,
    priceSource: 'list',
    supportsLastFrame: true,
  },
  seedance2_fast: {
    endpoints: {
      image_to_video: endpoint({ ratios: SEEDANCE_720P_RATIOS, maxPromptTextLength: 3500, params: ['seed', 'audio'] }),
      text_to_video: endpoint({
        ratios: SEEDANCE_720P_RATIOS,
        promptTextRequired: true,
        maxPromptTextLength: 3500,
        params: ['seed', 'audio'],
      }),
    },
    duration: range(4, 15, 'docs'),
    defaultDuration: 5,
    creditsPerSecond: 36,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
  seedance2_mini: {
    endpoints: {
      image_to_video: endpoint({ ratios: SEEDANCE_720P_RATIOS, maxPromptTextLength: 3500, params: ['seed', 'audio'] }),
      text_to_video: endpoint({
        ratios: SEEDANCE_720P_RATIOS,
        promptTextRequired: true,
        maxPromptTextLength: 3500,
        params: ['seed', 'audio'],
      }),
    },
    duration: range(4, 15, 'docs'),
    defaultDuration: 5,
    creditsPerSecond: 36,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
  gemini_omni_flash: {
    endpoints: {
      image_to_video: endpoint({ ratios: ['1280:720', '720:1280'], params: [] }),
      text_to_video: endpoint({ ratios: ['1280:720', '720:1280'], promptTextRequired: true, params: [] }),
    },
    duration: range(3, 10, 'sdk'),
    defaultDuration: 5,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: false,
  },
  seedance2_5: {
    endpoints: {
      image_to_video: endpoint({ ratios: SEEDANCE2_5_RATIOS, maxPromptTextLength: 15000, params: ['seed', 'audio'] }),
      text_to_video: endpoint({ ratios: SEEDANCE2_5_RATIOS, maxPromptTextLength: 15000, params: ['seed', 'audio'] }),
    },
    duration: range(4, 15, 'assumed'),
    defaultDuration: 5,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
  grok_imagine_1_5: {
    endpoints: {
      image_to_video: endpoint({ ratios: [], params: ['resolution'], resolutions: ['480p', '720p', '1080p'] }),
      text_to_video: endpoint({
        ratios: GROK_T2V_RATIOS,
        promptTextRequired: true,
        params: ['resolution'],
        resolutions: ['480p', '720p', '1080p'],
      }),
    },
    duration: range(6, 10, 'assumed'),
    defaultDuration: 6,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: false,
  },
  wan3: {
    endpoints: {
      image_to_video: endpoint({ ratios: WAN3_RATIOS, unsupportedRatios: WAN3_AUTO, promptTextRequired: true, params: ['audio'] }),
      text_to_video: endpoint({ ratios: WAN3_RATIOS, unsupportedRatios: WAN3_AUTO, promptTextRequired: true, params: ['audio'] }),
    },
    duration: values([5, 10, 15], 'assumed'),
    defaultDuration: 5,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
  'gemini_omni_flash_1.1': {
    endpoints: {
      image_to_video: endpoint({ ratios: GEMINI_FLASH_1_1_RATIOS, promptTextRequired: true, params: [] }),
      text_to_video: endpoint({ ratios: GEMINI_FLASH_1_1_RATIOS, promptTextRequired: true, params: [] }),
    },
    duration: range(3, 10, 'sdk'),
    defaultDuration: 5,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
  wan3_prime: {
    endpoints: {
      image_to_video: endpoint({ ratios: WAN3_RATIOS, unsupportedRatios: WAN3_AUTO, promptTextRequired: true, params: ['audio'] }),
      text_to_video: endpoint({ ratios: WAN3_RATIOS, unsupportedRatios: WAN3_AUTO, promptTextRequired: true, params: ['audio'] }),
    },
    duration: values([5, 10, 15], 'assumed'),
    defaultDuration: 5,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
  h3_max: {
    endpoints: {
      image_to_video: endpoint({ ratios: [], promptTextRequired: true, params: ['seed', 'resolution'], resolutions: ['480p', '768p'] }),
      text_to_video: endpoint({ ratios: [], promptTextRequired: true, params: ['seed', 'resolution'], resolutions: ['480p', '768p'] }),
    },
    duration: values([6, 10], 'assumed'),
    defaultDuration: 6,
    creditsPerSecond: 60,
    priceSource: 'estimate',
    supportsLastFrame: true,
  },
};

function durationValues(spec: DurationSpec): readonly number[] {
  if (spec.kind === 'values') return spec.values;
  return Array.from({ length: spec.max - spec.min + 1 }, (_, index) => spec.min + index);
}

function hasParam(data: ModelData, param: OptionalParam): boolean {
  return Object.values(data.endpoints).some((spec) => spec.params.includes(param));
}

export const MODEL_CATALOG: Readonly<Record<ModelId, ModelSpec>> = Object.fromEntries(
  MODEL_IDS.map((id) => {
    const data = MODEL_DATA[id];
    const spec: ModelSpec = {
      id,
      ...data,
      durations: durationValues(data.duration),
      supportsAudio: hasParam(data, 'audio'),
      supportsContentModeration: hasParam(data, 'contentModeration'),
    };
    return [id, spec];
  }),
) as Record<ModelId, ModelSpec>;

/** Credits Runway charges for one submission of this model and duration. */
export function creditsFor(model: ModelId, durationSeconds: number): number {
  return MODEL_CATALOG[model].creditsPerSecond * durationSeconds;
}

/** Human aspect names (16:9, 9:16, 1:1), mapped per model to the pixel ratio Runway takes (where it has one). */
export const ASPECT_ALIASES: Readonly<Record<string, Partial<Record<ModelId, string>>>> = aspectAliases({
  '16:9': '1280:720',
  '9:16': '720:1280',
  '1:1': '960:960',
});

function aspectAliases(pixels: Record<string, string>): Record<string, Partial<Record<ModelId, string>>> {
  const aliases: Record<string, Partial<Record<ModelId, string>>> = {};
  for (const [alias, ratio] of Object.entries(pixels)) {
    aliases[alias] = {};
    for (const spec of Object.values(MODEL_CATALOG)) {
      if (Object.values(spec.endpoints).some((endpointSpec) => endpointSpec.ratios.includes(ratio))) aliases[alias][spec.id] = ratio;
    }
  }
  return aliases;
}

/** Resolve a ratio given as an alias ("16:9") or as pixels ("1280:720") for a model. */
export function resolveRatio(model: ModelId, ratio: string): string {
  return ASPECT_ALIASES[ratio]?.[model] ?? ratio;
}

/**
 * Text-to-speech models (POST /v1/text_to_speech), from the SDK's resources/text-to-speech.d.ts:
 * `promptText` non-empty, at most 1000 UTF-16 code units, and `voice: { type: 'runway-preset', presetId }`.
 *
 * Price: Runway's API pricing lists eleven_multilingual_v2 at 1 credit per 50 characters of text (as quoted in
 * a third-party summary of docs.dev.runwayml.com "Pricing"; not confirmed against Runway's own page): we
 * budget ceil(characters / 50), at least 1. Check current prices before budgeting real money.
 */
export const SPEECH_MODEL_IDS = ['eleven_multilingual_v2'] as const;

/** The `presetId`s of ElevenMultilingualV2.Voice in the SDK's types. */
export const VOICE_PRESETS = [
  'Maya',
  'Arjun',
  'Serene',
  'Bernard',
  'Billy',
  'Mark',
  'Clint',
  'Mabel',
  'Chad',
  'Leslie',
  'Eleanor',
  'Elias',
  'Elliot',
  'Grungle',
  'Brodie',
  'Sandra',
  'Kirk',
  'Kylie',
  'Lara',
  'Lisa',
  'Malachi',
  'Marlene',
  'Martin',
  'Miriam',
  'Monster',
  'Paula',
  'Pip',
  'Rusty',
  'Ragnar',
  'Xylar',
  'Maggie',
  'Jack',
  'Katie',
  'Noah',
  'James',
  'Rina',
  'Ella',
  'Mariah',
  'Frank',
  'Claudia',
  'Niki',
  'Vincent',
  'Kendrick',
  'Myrna',
  'Tom',
  'Wanda',
  'Benjamin',
  'Kiana',
  'Rachel',
] as const;

export interface SpeechModelSpec {
  id: SpeechModelId;
  voices: readonly string[];
  /** The SDK's limit on promptText, in UTF-16 code units. */
  maxTextLength: number;
  charactersPerCredit: number;
}

export const SPEECH_MODEL_CATALOG: Readonly<Record<SpeechModelId, SpeechModelSpec>> = {
  eleven_multilingual_v2: { id: 'eleven_multilingual_v2', voices: VOICE_PRESETS, maxTextLength: 1000, charactersPerCredit: 50 },
};

/** Credits Runway charges for one text-to-speech submission of this text. */
export function speechCreditsFor(model: SpeechModelId, promptText: string): number {
  return Math.max(1, Math.ceil(promptText.length / SPEECH_MODEL_CATALOG[model].charactersPerCredit));
}
