import {
  archiveTargetSchema,
  generationOptionsInputSchema,
  idSchema,
  speechRequestSchema,
  videoRequestSchema,
  type GenerationOptionsInput,
  type VideoParams,
} from '../schemas';
import { inputErrorFromZod } from './input-error';

/** One video outside any campaign, as backend code and the CLI's `video start` ask for it. */
export interface VideoStartRequest extends VideoParams {
  videoId: string;
  model: string;
  promptText?: string;
  promptImage?: string;
  /** Upload an https promptImage to Runway once instead of letting Runway fetch the URL (local files always are). */
  rehostImage?: boolean;
  contentModeration?: { publicFigureThreshold: 'auto' | 'low' };
  options?: GenerationOptionsInput;
  archive?: { bucket?: string; prefix?: string };
}

/**
 * Each part of a video start request through the schema that owns it (id, request with the model catalog,
 * options, archive target): the typed client and the CLI's early check read the same answers, the CLI
 * naming its flags, the client the fields.
 */
export function parseVideoStart(request: VideoStartRequest) {
  const { options, archive, videoId, ...fields } = request;
  return {
    id: idSchema('videoId').safeParse(videoId),
    request: videoRequestSchema.safeParse(fields),
    options: generationOptionsInputSchema.safeParse(options ?? {}),
    archive: archiveTargetSchema.safeParse(archive ?? {}),
  };
}

/** One text-to-speech task outside any campaign: the words, a voice preset, optionally the model. */
export interface SpeechStartRequest {
  speechId: string;
  promptText: string;
  /** A Runway voice preset id (e.g. "Maya"; the SDK's ElevenMultilingualV2.Voice presetId). */
  voice: string;
  /** Default eleven_multilingual_v2. */
  model?: string;
  options?: GenerationOptionsInput;
  archive?: { bucket?: string; prefix?: string };
}

/** Each part of a speech start request through the schema that owns it, as parseVideoStart does for a video. */
export function parseSpeechStart(request: SpeechStartRequest) {
  const { options, archive, speechId, ...fields } = request;
  return {
    id: idSchema('speechId').safeParse(speechId),
    request: speechRequestSchema.safeParse(fields),
    options: generationOptionsInputSchema.safeParse(options ?? {}),
    archive: archiveTargetSchema.safeParse(archive ?? {}),
  };
}

type SafeParsed<T> =
  { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };

/** The parsed value, or an InputError naming `what` and each issue's field. */
function parsedOrThrow<T>(what: string, parsed: SafeParsed<T>): T {
  if (!parsed.success) throw inputErrorFromZod(what, parsed.error.issues);
  return parsed.data;
}

/**
 * The parts of a start request (parseVideoStart's or parseSpeechStart's) parsed, or an InputError naming the
 * first that fails, in the order id, request, options, archive; `idField` and `what` name the first two.
 */
export function startPartsOrThrow<R, O, A>(
  idField: string,
  what: string,
  parts: { id: SafeParsed<string>; request: SafeParsed<R>; options: SafeParsed<O>; archive: SafeParsed<A> },
): { id: string; request: R; options: O; archive: A } {
  return {
    id: parsedOrThrow(idField, parts.id),
    request: parsedOrThrow(what, parts.request),
    options: parsedOrThrow('options', parts.options),
    archive: parsedOrThrow('archive', parts.archive),
  };
}
