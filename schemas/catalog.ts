import { z } from 'zod';

/**
 * The model catalog: what each Runway model accepts and what it costs.
 * Kept as data so the client, the workflows' budget check and the simulator agree.
 *
 * Sources: request shapes from the official `@runwayml/sdk` (resources/image-to-video.d.ts,
 * resources/text-to-video.d.ts); gen3a_turbo is Runway's older model, retired from the current SDK.
 * Credits are Runway's published API list prices per second of output
 * (docs.dev.runwayml.com "Pricing", 1 credit = USD 0.01); Gen-3 Alpha-era clips cost about 50 credits
 * per 5 s. Check current prices before budgeting real money.
 */
export const endpointSchema = z.enum(['image_to_video', 'text_to_video']);
export type Endpoint = z.infer<typeof endpointSchema>;
/** Every create endpoint the product POSTs to: a video endpoint, or text_to_speech. */
export type RunwayEndpoint = Endpoint | 'text_to_speech';

export const modelIdSchema = z.enum(['gen4_turbo', 'gen4.5', 'veo3.1', 'veo3.1_fast', 'gen3a_turbo']);
export type ModelId = z.infer<typeof modelIdSchema>;

export interface EndpointSpec {
  ratios: readonly string[];
}

export interface ModelSpec {
  id: ModelId;
  /** Endpoints the model serves, with the ratios each accepts. */
  endpoints: Partial<Record<Endpoint, EndpointSpec>>;
  durations: readonly number[];
  defaultDuration: number;
  creditsPerSecond: number;
  /** Whether the model accepts `audio` (veo only). */
  supportsAudio: boolean;
  /** Whether `promptImage` may carry a `last` frame position. */
  supportsLastFrame: boolean;
  supportsContentModeration: boolean;
}

const GEN4_RATIOS = ['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'] as const;
const VEO_RATIOS = ['1280:720', '720:1280', '1080:1920', '1920:1080'] as const;

export const MODEL_CATALOG: Readonly<Record<ModelId, ModelSpec>> = {
  gen4_turbo: {
    id: 'gen4_turbo',
    endpoints: { image_to_video: { ratios: GEN4_RATIOS } },
    durations: [5, 10],
    defaultDuration: 10,
    creditsPerSecond: 5,
    supportsAudio: false,
    supportsLastFrame: false,
    supportsContentModeration: true,
  },
  'gen4.5': {
    id: 'gen4.5',
    endpoints: {
      image_to_video: { ratios: GEN4_RATIOS },
      text_to_video: { ratios: ['1280:720', '720:1280'] },
    },
    durations: [2, 3, 4, 5, 6, 7, 8, 9, 10],
    defaultDuration: 5,
    creditsPerSecond: 12,
    supportsAudio: false,
    supportsLastFrame: false,
    supportsContentModeration: true,
  },
  'veo3.1': {
    id: 'veo3.1',
    endpoints: { image_to_video: { ratios: VEO_RATIOS }, text_to_video: { ratios: VEO_RATIOS } },
    durations: [4, 6, 8],
    defaultDuration: 8,
    creditsPerSecond: 40,
    supportsAudio: true,
    supportsLastFrame: true,
    supportsContentModeration: false,
  },
  'veo3.1_fast': {
    id: 'veo3.1_fast',
    endpoints: { image_to_video: { ratios: VEO_RATIOS }, text_to_video: { ratios: VEO_RATIOS } },
    durations: [4, 6, 8],
    defaultDuration: 8,
    creditsPerSecond: 15,
    supportsAudio: true,
    supportsLastFrame: true,
    supportsContentModeration: false,
  },
  gen3a_turbo: {
    id: 'gen3a_turbo',
    endpoints: { image_to_video: { ratios: ['1280:768', '768:1280'] } },
    durations: [5, 10],
    defaultDuration: 10,
    creditsPerSecond: 5,
    supportsAudio: false,
    supportsLastFrame: true,
    supportsContentModeration: false,
  },
};

/** Credits Runway charges for one submission of this model and duration. */
export function creditsFor(model: ModelId, durationSeconds: number): number {
  return MODEL_CATALOG[model].creditsPerSecond * durationSeconds;
}

/** Human aspect names (16:9, 9:16, …), mapped per model to the pixel ratios Runway takes. */
export const ASPECT_ALIASES: Readonly<Record<string, Partial<Record<ModelId, string>>>> = {
  '16:9': { gen4_turbo: '1280:720', 'gen4.5': '1280:720', 'veo3.1': '1280:720', 'veo3.1_fast': '1280:720', gen3a_turbo: '1280:768' },
  '9:16': { gen4_turbo: '720:1280', 'gen4.5': '720:1280', 'veo3.1': '720:1280', 'veo3.1_fast': '720:1280', gen3a_turbo: '768:1280' },
  '1:1': { gen4_turbo: '960:960', 'gen4.5': '960:960' },
};

/** Resolve a ratio given as an alias ("16:9") or as pixels ("1280:720") for a model. */
export function resolveRatio(model: ModelId, ratio: string): string {
  return ASPECT_ALIASES[ratio]?.[model] ?? ratio;
}

/** Pixel size of a ratio string like "1280:720". */
export function ratioSize(ratio: string): { width: number; height: number } {
  const [w, h] = ratio.split(':').map(Number);
  if (!w || !h) throw new Error(`not a pixel ratio: ${ratio}`);
  return { width: w, height: h };
}

/**
 * Text-to-speech models (POST /v1/text_to_speech), from the SDK's resources/text-to-speech.d.ts:
 * `promptText` non-empty, at most 1000 UTF-16 code units, and `voice: { type: 'runway-preset', presetId }`.
 *
 * Price: Runway's API pricing lists eleven_multilingual_v2 at 1 credit per 50 characters of text (as quoted in
 * a third-party summary of docs.dev.runwayml.com "Pricing"; not confirmed against Runway's own page): we
 * budget ceil(characters / 50), at least 1. Check current prices before budgeting real money.
 */
export const speechModelIdSchema = z.enum(['eleven_multilingual_v2']);
export type SpeechModelId = z.infer<typeof speechModelIdSchema>;

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
