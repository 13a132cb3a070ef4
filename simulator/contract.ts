// One file on purpose: the simulator's contract table is data written from the official SDK's types, kept
// whole so it can be read against them side by side.
/**
 * The simulator's own contract table: what Runway's API accepts and bills, written from the official SDK's
 * types (`@runwayml/sdk` 4.20.1: resources/image-to-video.d.ts, text-to-video.d.ts, text-to-speech.d.ts,
 * tasks.d.ts, organization.d.ts) and Runway's developer documentation (docs.dev.runwayml.com, API version
 * 2024-11-06). It is deliberately independent of the product's catalog: the simulator stands in for Runway,
 * so a mistake in the product's catalog shows up as a refused request or a billing mismatch in a test.
 *
 * Prices (credits per second of output, 1 credit = USD 0.01, docs.dev.runwayml.com "Pricing" as copied in
 * Runway's published API-reference skill): gen4_turbo 5, gen4.5 12, veo3.1 40 with audio / 20 without,
 * veo3.1_fast 15 with audio / 10 without. The SDK describes audio as "affects pricing"; Veo generates
 * audio unless `audio: false`. Every other model's price is not in any source at hand: those are stated
 * estimates (`estimate: true`), sized after comparable models, and must not be read as Runway's list price.
 */
export const RUNWAY_API_VERSION = '2024-11-06';

/** GET /v1/tasks/{id} `status` (resources/tasks.d.ts). */
export const TASK_STATUSES = ['PENDING', 'THROTTLED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const VIDEO_ENDPOINTS = ['image_to_video', 'text_to_video'] as const;
export type VideoEndpoint = (typeof VIDEO_ENDPOINTS)[number];

/** Image inputs (docs "Inputs"; the SDK: "base64 data URI … up to 5MB"): whole encoded data URI, URL length. */
export const MAX_DATA_URI_BYTES = 5 * 1024 * 1024;
export const MAX_IMAGE_URL_LENGTH = 2048;
/** `seed`: "an integer from 0 to 4294967295". */
export const MAX_SEED = 4_294_967_295;

/**
 * Models Runway has retired from the API: a create naming one is a 400 naming the model. gen3a_turbo left
 * the SDK's model unions at 4.0 and Runway's model list; an API without the model validates `model` against
 * the models it serves, and that is a 400 (the SDK's BadRequestError), never a 404 or a task.
 */
export const RETIRED_MODELS: Readonly<Record<string, string>> = {
  gen3a_turbo: 'gen3a_turbo has been retired and is no longer available through the API; use gen4_turbo or gen4.5',
};

/** A field check beyond the model's shape: undefined when fine, else the reason. */
export type FieldCheck = (value: unknown) => string | undefined;

export interface DurationContract {
  /** The SDK marks `duration` as required (gen4.5). */
  required: boolean;
  /** Allowed whole seconds: an explicit list, or an inclusive range. */
  values?: readonly number[];
  min?: number;
  max?: number;
  /** `duration: 'auto'`: billed at `max` up front. */
  auto?: boolean;
  /** Used when the request has no duration. */
  default: number;
  /** The range is not in the SDK's types: a stated estimate. */
  estimate?: true;
}

export interface PromptImageContract {
  /** Keyframe positions the model accepts. */
  positions: ReadonlyArray<'first' | 'last'>;
  /** Whether items may omit `position` (reference images); keyframes and references cannot be mixed. */
  references: boolean;
  maxItems: number;
}

export interface VideoEndpointContract {
  promptText: 'required' | 'optional';
  /** UTF-16 code units; the SDK states 1000, 2500, 3500 or 15000 where it states a limit. */
  promptTextMax: number;
  /** null: the model has no `ratio` field (the output follows the input image). */
  ratios: readonly string[] | null;
  ratioRequired: boolean;
  duration: DurationContract;
  /** image_to_video only. */
  promptImage?: PromptImageContract;
  /** Every other field the SDK lists for this model and endpoint, with its check. */
  options: Readonly<Record<string, FieldCheck>>;
}

export interface ModelContract {
  id: string;
  endpoints: Partial<Record<VideoEndpoint, VideoEndpointContract>>;
  creditsPerSecond: number;
  /** Price when `audio: false` (models whose audio "affects pricing"). */
  creditsPerSecondWithoutAudio?: number;
  /** The price is a stated estimate, not a published list price. */
  priceEstimate?: true;
}

// ---- field checks -------------------------------------------------------------------------------------

const oneOf =
  (allowed: readonly string[]): FieldCheck =>
  (value) =>
    typeof value === 'string' && allowed.includes(value)
      ? undefined
      : `${JSON.stringify(value)} is not allowed; allowed: ${allowed.join(', ')}`;
const bool: FieldCheck = (value) => (typeof value === 'boolean' ? undefined : 'must be a boolean');
const nonEmptyString: FieldCheck = (value) =>
  typeof value === 'string' && value.trim().length > 0 ? undefined : 'must be a non-empty string';
const seed: FieldCheck = (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED
    ? undefined
    : `must be an integer from 0 to ${MAX_SEED}`;
const contentModeration: FieldCheck = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'publicFigureThreshold') return `${key}: unknown field; allowed fields: publicFigureThreshold`;
    if (field !== 'auto' && field !== 'low') return `publicFigureThreshold: ${JSON.stringify(field)} is not allowed; allowed: auto, low`;
  }
  return undefined;
};
/** `referenceAudio` / `referenceVideos` / `references`: arrays of `{ type?, uri }` (the uri itself is checked by the validator). */
const referenceList =
  (type: 'audio' | 'video' | undefined, maxItems: number): FieldCheck =>
  (value) => {
    if (!Array.isArray(value) || value.length > maxItems)
      return `must be an array of at most ${maxItems} {${type ? 'type, ' : ''}uri} objects`;
    for (const [index, item] of value.entries()) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${index}: must be an object`;
      for (const key of Object.keys(item)) {
        if (key !== 'uri' && !(type && key === 'type')) return `${index}.${key}: unknown field`;
      }
      const record = item as Record<string, unknown>;
      if (type && record.type !== type) return `${index}.type: must be "${type}"`;
      if (typeof record.uri !== 'string' || record.uri.length === 0) return `${index}.uri: must be a non-empty string`;
    }
    return undefined;
  };

const OUTPUT_FORMATS = [
  'mp4',
  'prores',
  'png_sequence',
  'hdr10',
  'hlg',
  'sdr_rec709_10bit',
  'hdr_pq_12bit_master',
  'hdr_prores',
  'hdr_png_sequence',
  'hdr_exr_sequence',
  'hdr_exr_acescg_sequence_1_3',
  'hdr_exr_acescg_sequence_2_0',
];
const PRORES_PROFILES = ['422', '4444', '422 Proxy', '422 LT', '422 HQ', '4444 XQ'];

// ---- ratios (verbatim from the SDK's unions) ----------------------------------------------------------

const GEN4_RATIOS = ['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'];
const LANDSCAPE_PORTRAIT = ['1280:720', '720:1280'];
const VEO_RATIOS = ['1280:720', '720:1280', '1080:1920', '1920:1080'];
const HAILUO_RATIOS = ['adaptive', '21:9', '16:9', '4:3', '1:1', '3:4', '9:16'];
const SEEDANCE_720_RATIOS = [
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
];
const SEEDANCE_RATIOS = [
  ...SEEDANCE_720_RATIOS,
  ...['2206:946', '1920:1080', '1664:1248', '1440:1440', '1248:1664', '1080:1920'],
  ...['3840:1646', '3840:2160', '3840:2880', '3840:3840', '2880:3840', '2160:3840'],
];
const SEEDANCE_2_5_RATIOS = [
  ...[
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
  ],
  ...['2206:946', '1920:1080', '1664:1248', '1440:1440', '1248:1664', '1080:1920'],
];
const WAN_RATIOS = [
  ...['832:480', '720:544', '624:624', '544:720', '480:832', '1280:720', '1104:832', '960:960', '832:1104', '720:1280'],
  ...['1920:1080', '1648:1248', '1440:1440', '1248:1648', '1080:1920', 'auto_480p', 'auto_720p', 'auto_1080p'],
];
const GEMINI_1_1_RATIOS = ['640:360', '360:640', '1280:720', '720:1280', '1920:1080', '1080:1920', '3840:2160', '2160:3840'];
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
];
const GROK_T2V_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'];

// ---- durations ------------------------------------------------------------------------------------------

const range = (min: number, max: number, extra: Partial<DurationContract> = {}): DurationContract => ({
  required: false,
  min,
  max,
  default: Math.min(max, Math.max(min, 5)),
  ...extra,
});
/** gen4.5: "Must be an integer from 2 to 10", and required. */
const GEN4_5_DURATION: DurationContract = { required: true, min: 2, max: 10, default: 5 };
/** gen4_turbo: the SDK says only `number`; Runway's docs list 5 or 10 seconds. */
const GEN4_TURBO_DURATION: DurationContract = { required: false, values: [5, 10], default: 10 };
const VEO_DURATION: DurationContract = { required: false, values: [4, 6, 8], default: 8 };
/** Seedance 2.x: 4–15 s as Runway's app lists it; `auto` per the SDK. */
const SEEDANCE_DURATION = range(4, 15, { auto: true, estimate: true });
/** Gemini Omni Flash: "a whole number from 3 to 10" (SDK). */
const GEMINI_DURATION = range(3, 10);
/** Models whose duration the SDK types as a bare number: a stated estimate of what they take. */
const ESTIMATED_DURATION = range(2, 15, { estimate: true });

// ---- options shared by several models -----------------------------------------------------------------

const GEN4_5_OPTIONS = { seed, contentModeration, outputFormat: oneOf(OUTPUT_FORMATS), proresProfile: oneOf(PRORES_PROFILES) };
const VEO_OPTIONS = { seed, audio: bool, negativePrompt: nonEmptyString };
const SEEDANCE_I2V_OPTIONS = { seed, audio: bool, referenceAudio: referenceList('audio', 15) };
const SEEDANCE_T2V_OPTIONS = {
  ...SEEDANCE_I2V_OPTIONS,
  references: referenceList(undefined, 9),
  referenceVideos: referenceList('video', 9),
};
const WAN_I2V_OPTIONS = { audio: bool, referenceAudio: referenceList('audio', 15), referenceVideos: referenceList('video', 15) };
const WAN_T2V_OPTIONS = { ...WAN_I2V_OPTIONS, references: referenceList(undefined, 10) };
const HAILUO_RESOLUTION = oneOf(['768p', '2k', '768P', '2K']);

const FIRST_ONLY: PromptImageContract = { positions: ['first'], references: false, maxItems: 1 };
const FIRST_LAST: PromptImageContract = { positions: ['first', 'last'], references: false, maxItems: 2 };
/** "Use position first/last for keyframe mode, or omit position for reference images"; up to 9 references (estimate). */
const KEYFRAMES_OR_REFERENCES: PromptImageContract = { positions: ['first', 'last'], references: true, maxItems: 9 };

function seedanceModel(id: string, ratios: readonly string[], promptTextMax: number, creditsPerSecond: number): ModelContract {
  return {
    id,
    endpoints: {
      image_to_video: {
        promptText: 'optional',
        promptTextMax,
        ratios,
        ratioRequired: false,
        duration: SEEDANCE_DURATION,
        promptImage: KEYFRAMES_OR_REFERENCES,
        options: SEEDANCE_I2V_OPTIONS,
      },
      text_to_video: {
        promptText: id === 'seedance2_5' ? 'optional' : 'required',
        promptTextMax,
        ratios,
        ratioRequired: false,
        duration: SEEDANCE_DURATION,
        options: id === 'seedance2_5' ? { ...SEEDANCE_T2V_OPTIONS, references: referenceList(undefined, 30) } : SEEDANCE_T2V_OPTIONS,
      },
    },
    creditsPerSecond,
    priceEstimate: true,
  };
}

function wanModel(id: string, creditsPerSecond: number): ModelContract {
  const shared = {
    promptText: 'required' as const,
    promptTextMax: 5000,
    ratios: WAN_RATIOS,
    ratioRequired: false,
    duration: ESTIMATED_DURATION,
  };
  return {
    id,
    endpoints: {
      image_to_video: { ...shared, promptImage: KEYFRAMES_OR_REFERENCES, options: WAN_I2V_OPTIONS },
      text_to_video: { ...shared, options: WAN_T2V_OPTIONS },
    },
    creditsPerSecond,
    priceEstimate: true,
  };
}

/**
 * Every video model SDK 4.20.1 lists (16 for image_to_video, 15 for text_to_video). Where the SDK gives no
 * prompt limit ("a non-empty text prompt"), 5000 UTF-16 code units is a stated estimate.
 */
const MODELS: readonly ModelContract[] = [
  {
    id: 'gen4.5',
    endpoints: {
      image_to_video: {
        promptText: 'required',
        promptTextMax: 1000,
        ratios: GEN4_RATIOS,
        ratioRequired: true,
        duration: GEN4_5_DURATION,
        promptImage: FIRST_ONLY,
        options: GEN4_5_OPTIONS,
      },
      text_to_video: {
        promptText: 'required',
        promptTextMax: 1000,
        ratios: LANDSCAPE_PORTRAIT,
        ratioRequired: true,
        duration: GEN4_5_DURATION,
        options: GEN4_5_OPTIONS,
      },
    },
    creditsPerSecond: 12,
  },
  {
    id: 'gen4_turbo',
    endpoints: {
      image_to_video: {
        promptText: 'optional',
        promptTextMax: 1000,
        ratios: GEN4_RATIOS,
        ratioRequired: true,
        duration: GEN4_TURBO_DURATION,
        promptImage: FIRST_ONLY,
        options: { seed, contentModeration },
      },
    },
    creditsPerSecond: 5,
  },
  ...(['veo3.1', 'veo3.1_fast'] as const).map((id): ModelContract => ({
    id,
    endpoints: {
      image_to_video: {
        promptText: 'optional',
        promptTextMax: 1000,
        ratios: VEO_RATIOS,
        ratioRequired: true,
        duration: VEO_DURATION,
        promptImage: FIRST_LAST,
        options: VEO_OPTIONS,
      },
      text_to_video: {
        promptText: 'required',
        promptTextMax: 1000,
        ratios: VEO_RATIOS,
        ratioRequired: true,
        duration: VEO_DURATION,
        options: VEO_OPTIONS,
      },
    },
    creditsPerSecond: id === 'veo3.1' ? 40 : 15,
    creditsPerSecondWithoutAudio: id === 'veo3.1' ? 20 : 10,
  })),
  {
    id: 'hailuo3',
    endpoints: {
      image_to_video: {
        promptText: 'required',
        promptTextMax: 5000,
        ratios: HAILUO_RATIOS,
        ratioRequired: false,
        duration: ESTIMATED_DURATION,
        promptImage: KEYFRAMES_OR_REFERENCES,
        options: { referenceAudio: referenceList('audio', 15), resolution: HAILUO_RESOLUTION },
      },
      text_to_video: {
        promptText: 'required',
        promptTextMax: 5000,
        ratios: HAILUO_RATIOS.filter((ratio) => ratio !== 'adaptive'),
        ratioRequired: false,
        duration: ESTIMATED_DURATION,
        options: {
          referenceAudio: referenceList('audio', 15),
          references: referenceList(undefined, 9),
          referenceVideos: referenceList('video', 9),
          resolution: HAILUO_RESOLUTION,
        },
      },
    },
    creditsPerSecond: 10,
    priceEstimate: true,
  },
  {
    id: 'happyhorse_1_0',
    endpoints: {
      image_to_video: {
        promptText: 'optional',
        promptTextMax: 2500,
        ratios: null,
        ratioRequired: false,
        duration: ESTIMATED_DURATION,
        promptImage: FIRST_ONLY,
        options: { resolution: oneOf(['720p', '1080p', '720P', '1080P']) },
      },
      text_to_video: {
        promptText: 'required',
        promptTextMax: 2500,
        ratios: HAPPYHORSE_T2V_RATIOS,
        ratioRequired: false,
        duration: ESTIMATED_DURATION,
        options: {},
      },
    },
    creditsPerSecond: 10,
    priceEstimate: true,
  },
  seedanceModel('seedance2', SEEDANCE_RATIOS, 3500, 20),
  seedanceModel('seedance2_fast', SEEDANCE_720_RATIOS, 3500, 10),
  seedanceModel('seedance2_mini', SEEDANCE_720_RATIOS, 3500, 6),
  seedanceModel('seedance2_5', SEEDANCE_2_5_RATIOS, 15000, 25),
  {
    id: 'gemini_omni_flash',
    endpoints: {
      image_to_video: {
        promptText: 'optional',
        promptTextMax: 5000,
        ratios: LANDSCAPE_PORTRAIT,
        ratioRequired: false,
        duration: GEMINI_DURATION,
        promptImage: FIRST_ONLY,
        options: {},
      },
      text_to_video: {
        promptText: 'required',
        promptTextMax: 5000,
        ratios: LANDSCAPE_PORTRAIT,
        ratioRequired: false,
        duration: GEMINI_DURATION,
        options: {},
      },
    },
    creditsPerSecond: 15,
    priceEstimate: true,
  },
  {
    id: 'gemini_omni_flash_1.1',
    endpoints: {
      image_to_video: {
        promptText: 'required',
        promptTextMax: 5000,
        ratios: GEMINI_1_1_RATIOS,
        ratioRequired: false,
        duration: { ...GEMINI_DURATION, auto: true },
        promptImage: FIRST_LAST,
        options: {},
      },
      text_to_video: {
        promptText: 'required',
        promptTextMax: 5000,
        ratios: GEMINI_1_1_RATIOS,
        ratioRequired: false,
        duration: { ...GEMINI_DURATION, auto: true },
        options: { references: referenceList(undefined, 9), referenceVideos: referenceList(undefined, 9) },
      },
    },
    creditsPerSecond: 20,
    priceEstimate: true,
  },
  {
    id: 'grok_imagine_1_5',
    endpoints: {
      image_to_video: {
        promptText: 'optional',
        promptTextMax: 5000,
        ratios: null,
        ratioRequired: false,
        duration: ESTIMATED_DURATION,
        promptImage: FIRST_ONLY,
        options: { resolution: oneOf(['480p', '720p', '1080p']) },
      },
      text_to_video: {
        promptText: 'required',
        promptTextMax: 5000,
        ratios: GROK_T2V_RATIOS,
        ratioRequired: false,
        duration: ESTIMATED_DURATION,
        options: {
          resolution: oneOf(['480p', '720p', '1080p']),
          references: referenceList(undefined, 9),
          referenceAudio: referenceList('audio', 9),
        },
      },
    },
    creditsPerSecond: 10,
    priceEstimate: true,
  },
  wanModel('wan3', 10),
  wanModel('wan3_prime', 20),
  {
    id: 'h3_max',
    endpoints: Object.fromEntries(
      VIDEO_ENDPOINTS.map((endpoint) => [
        endpoint,
        {
          promptText: 'required',
          promptTextMax: 5000,
          ratios: null,
          ratioRequired: false,
          duration: ESTIMATED_DURATION,
          ...(endpoint === 'image_to_video' ? { promptImage: FIRST_LAST } : {}),
          options: { seed, promptExpansionMode: oneOf(['disabled', 'balanced', 'quality']), resolution: oneOf(['480p', '768p']) },
        } satisfies VideoEndpointContract,
      ]),
    ),
    creditsPerSecond: 15,
    priceEstimate: true,
  },
];

export const VIDEO_MODELS: ReadonlyMap<string, ModelContract> = new Map(MODELS.map((model) => [model.id, model]));
export const VIDEO_MODEL_IDS: readonly string[] = MODELS.map((model) => model.id);

/** Models serving an endpoint, in table order. */
export function modelsServing(endpoint: VideoEndpoint): string[] {
  return MODELS.filter((model) => model.endpoints[endpoint] !== undefined).map((model) => model.id);
}

/** Credits one video submission costs: per-second price times seconds, at the no-audio price when audio is off. */
export function videoCredits(model: ModelContract, seconds: number, audio: boolean | undefined): number {
  const perSecond =
    audio === false && model.creditsPerSecondWithoutAudio !== undefined ? model.creditsPerSecondWithoutAudio : model.creditsPerSecond;
  return perSecond * seconds;
}

/** Named aspect ratios some models take instead of pixels, as a 720p-class frame. */
const ASPECT_FRAMES: Readonly<Record<string, { width: number; height: number }>> = {
  '21:9': { width: 1680, height: 720 },
  '16:9': { width: 1280, height: 720 },
  '4:3': { width: 960, height: 720 },
  '3:2': { width: 1080, height: 720 },
  '1:1': { width: 720, height: 720 },
  '3:4': { width: 720, height: 960 },
  '2:3': { width: 720, height: 1080 },
  '9:16': { width: 720, height: 1280 },
};

/**
 * Pixel size of the simulated output. A pixel ratio ("1280:720") is the size itself; an aspect name
 * ("16:9") a 720p-class frame; `adaptive`, `auto_*` and no ratio (the output follows the input) 1280×720.
 */
export function outputFrame(ratio: string | undefined): { width: number; height: number } {
  if (ratio && ASPECT_FRAMES[ratio]) return ASPECT_FRAMES[ratio];
  const match = ratio ? /^(\d{3,4}):(\d{3,4})$/.exec(ratio) : null;
  if (match) return { width: Number(match[1]), height: Number(match[2]) };
  return { width: 1280, height: 720 };
}
