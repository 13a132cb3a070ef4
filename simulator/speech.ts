/**
 * POST /v1/text_to_speech as the official SDK's types describe it (resources/text-to-speech.d.ts), kept
 * here on its own: the simulator stands in for Runway and takes its contract from the SDK, not from the
 * product's catalog.
 *
 * - `eleven_multilingual_v2`: `promptText` (non-empty, at most 1000 UTF-16 code units) and
 *   `voice: { type: 'runway-preset', presetId }`, nothing else.
 * - `eleven_v3`: the same voice and text, plus its optional tuning fields.
 * - `seed_audio` (a reference-audio voice) is not simulated: a 400 says so.
 *
 * Price as Runway lists it for the ElevenLabs models: 1 credit per 50 characters, at least 1.
 * The output is an MP3 whose length follows the text: 2.5 words a second, at least one second.
 */
export const SPEECH_MODELS = ['eleven_multilingual_v2', 'eleven_v3'] as const;
export type SpeechModel = (typeof SPEECH_MODELS)[number];

export const SPEECH_PRESET_IDS: readonly string[] = [
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
];

const MAX_TEXT_LENGTH = 1000;
const CHARACTERS_PER_CREDIT = 50;
export const SPEECH_WORDS_PER_SECOND = 2.5;

const ELEVEN_V3_OPTIONS: Record<string, (value: unknown) => string | undefined> = {
  applyTextNormalization: (value) => (value === 'auto' || value === 'on' || value === 'off' ? undefined : 'must be auto, on or off'),
  languageCode: (value) => (typeof value === 'string' && /^[a-z]{2}$/i.test(value) ? undefined : 'must be an ISO 639-1 code'),
  seed: (value) =>
    Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 4_294_967_295
      ? undefined
      : 'must be an integer from 0 to 4294967295',
  similarityBoost: unitInterval,
  speed: (value) => (typeof value === 'number' && value >= 0.7 && value <= 1.2 ? undefined : 'must be a number from 0.7 to 1.2'),
  stability: unitInterval,
  style: unitInterval,
  useSpeakerBoost: (value) => (typeof value === 'boolean' ? undefined : 'must be a boolean'),
};

function unitInterval(value: unknown): string | undefined {
  return typeof value === 'number' && value >= 0 && value <= 1 ? undefined : 'must be a number from 0 to 1';
}

export interface SpeechRequest {
  model: SpeechModel;
  promptText: string;
  voice: string;
}

export interface SpeechIssue {
  path: Array<string | number>;
  message: string;
}

/** Validate a text_to_speech body; the issues name each offending field. */
export function validateSpeechBody(body: Record<string, unknown>): { request: SpeechRequest } | { issues: SpeechIssue[] } {
  const issues: SpeechIssue[] = [];
  const add = (path: SpeechIssue['path'], message: string) => issues.push({ path, message });
  const model = body.model;
  if (model === 'seed_audio') add(['model'], 'seed_audio is not available in this simulator; use eleven_multilingual_v2 or eleven_v3');
  else if (!SPEECH_MODELS.includes(model as SpeechModel)) {
    add(['model'], `${JSON.stringify(model ?? null)} is not a text_to_speech model; allowed: ${SPEECH_MODELS.join(', ')}`);
  }
  const allowed = ['model', 'promptText', 'voice', ...(model === 'eleven_v3' ? Object.keys(ELEVEN_V3_OPTIONS) : [])];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) add([key], `unknown field for text_to_speech; allowed fields: ${allowed.join(', ')}`);
    else if (ELEVEN_V3_OPTIONS[key]) {
      const problem = ELEVEN_V3_OPTIONS[key](body[key]);
      if (problem) add([key], problem);
    }
  }
  const text = body.promptText;
  if (typeof text !== 'string' || text.trim().length === 0) add(['promptText'], 'must be a non-empty string');
  else if (text.length > MAX_TEXT_LENGTH) add(['promptText'], `is ${text.length} UTF-16 code units; the limit is ${MAX_TEXT_LENGTH}`);
  const voice = checkVoice(body.voice, add);
  if (issues.length > 0 || voice === undefined) return { issues };
  return { request: { model: model as SpeechModel, promptText: text as string, voice } };
}

function checkVoice(voice: unknown, add: (path: SpeechIssue['path'], message: string) => void): string | undefined {
  if (typeof voice !== 'object' || voice === null || Array.isArray(voice)) {
    add(['voice'], 'is required: { "type": "runway-preset", "presetId": "<preset>" }');
    return undefined;
  }
  const { type, presetId, ...rest } = voice as Record<string, unknown>;
  for (const key of Object.keys(rest)) add(['voice', key], 'unknown field; allowed fields: type, presetId');
  if (type !== 'runway-preset') add(['voice', 'type'], `${JSON.stringify(type ?? null)} is not allowed; allowed: runway-preset`);
  if (typeof presetId !== 'string' || !SPEECH_PRESET_IDS.includes(presetId)) {
    add(['voice', 'presetId'], `${JSON.stringify(presetId ?? null)} is not a voice preset; allowed: ${SPEECH_PRESET_IDS.join(', ')}`);
    return undefined;
  }
  return presetId;
}

export function speechCredits(promptText: string): number {
  return Math.max(1, Math.ceil(promptText.length / CHARACTERS_PER_CREDIT));
}

/** Seconds of speech for the text, to a tenth of a second. */
export function speechSeconds(promptText: string): number {
  const words = promptText.trim().split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.round((words / SPEECH_WORDS_PER_SECOND) * 10) / 10);
}
