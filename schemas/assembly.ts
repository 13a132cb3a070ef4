import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { strictObject } from './strict-object';

/**
 * The explainer's assembly: the chunks' clips and voiceovers (already in S3) in, one narrated MP4 and its
 * WebVTT subtitles out. Timing comes from the clips themselves (ffprobe), so a chunk carries none.
 */

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');

export const storedMediaSchema = strictObject({
  bucket: bucketSchema,
  key: z.string().min(1).max(1024),
  /** What the bytes must hash to: a changed object fails the assembly instead of being cut in. */
  sha256: sha256Schema,
  /** Its size as archived, when known: the assembly then need not ask S3 (a longer object still fails). */
  bytes: z.number().int().nonnegative().optional(),
});

/**
 * One voiceover's loudness, measured once it is archived (`measureVoiceover`): its gating blocks (the
 * loudness of each 400 ms block, one every 100 ms, as EBU R128 / BS.1770 gates them) and its sample peak,
 * both read at the mix's 48 kHz stereo. The assembly computes the narration's integrated loudness from
 * its voiceovers' blocks instead of reading all the audio again before it can mix.
 */
export const voiceoverLoudnessSchema = strictObject({
  /** LUFS of each block louder than the absolute gate (−70 LUFS), in time order. */
  blocks: z.array(z.number().min(-70).max(30)).max(200_000),
  /** dBFS; null when the voiceover is digital silence. */
  samplePeakDbfs: z.number().max(30).nullable(),
});

export type VoiceoverLoudness = z.infer<typeof voiceoverLoudnessSchema>;

export const assemblyChunkSchema = strictObject({
  clip: storedMediaSchema,
  voiceover: storedMediaSchema.extend({
    /** Its loudness as measured when archived; when every chunk's is here, the assembly measures none. */
    loudness: voiceoverLoudnessSchema.optional(),
  }),
  /** The narration's text: the chunk's subtitle cue. */
  text: z.string().max(2000),
});

export const assembleExplainerInputSchema = strictObject({
  explainerId: idSchema('explainerId'),
  chunks: z.array(assemblyChunkSchema).min(1).max(500),
  output: strictObject({ bucket: bucketSchema, prefix: keyPrefixSchema }),
  /** Also draw the subtitles into the picture (re-encodes the video); the WebVTT sidecar is written either way. */
  burnSubtitles: z.boolean().default(false),
  /** The lesson's title and language, for the SCORM package (its manifest, player page and captions track). */
  title: z.string().min(1).max(200).optional(),
  language: z.string().min(2).max(35).default('en'),
  /**
   * Also build the SCORM package in this activity. The explainer workflow asks `packageExplainer` for it
   * instead (false), so the join is not held up by a second upload of the video; true is for assemblies
   * scheduled before that, whose workflows expect the package in this result.
   */
  scorm: z.boolean().default(true),
});

export type AssemblyChunk = z.infer<typeof assemblyChunkSchema>;
export type AssembleExplainerInput = z.input<typeof assembleExplainerInputSchema>;

export interface AssembledExplainer {
  mp4: { bucket: string; key: string; bytes: number; sha256: string; durationSeconds: number };
  subtitles: { bucket: string; key: string; sha256: string };
  /** Each chunk's place in the video, ms: the package's transcript. */
  timings: Array<{ startMs: number; endMs: number }>;
  /** The SCORM package, when the assembly was asked to build it (`scorm`). */
  package?: ScormPackageRecord;
}

/** The SCORM 1.2 package (manifest, player, MP4, captions) an LMS imports, next to the MP4. */
export interface ScormPackageRecord {
  bucket: string;
  key: string;
  bytes: number;
  sha256: string;
  format: 'scorm-1.2';
}

/** The package of an assembled explainer: its MP4 (checked against its sha256) and captions, and the transcript. */
export const packageExplainerInputSchema = strictObject({
  explainerId: idSchema('explainerId'),
  output: strictObject({ bucket: bucketSchema, prefix: keyPrefixSchema }),
  /** The assembly's MP4 record, as the assembly returned it. */
  mp4: strictObject({
    bucket: bucketSchema,
    key: z.string().min(1).max(1024),
    sha256: sha256Schema,
    bytes: z.number().int().nonnegative(),
    durationSeconds: z.number().nonnegative().optional(),
  }),
  cues: z
    .array(strictObject({ startMs: z.number().int().nonnegative(), endMs: z.number().int().nonnegative(), text: z.string().max(2000) }))
    .min(1)
    .max(500),
  title: z.string().min(1).max(200).optional(),
  language: z.string().min(2).max(35).default('en'),
});

/** A voiceover to measure: the archived object (checked against its sha256 as it is read). */
export const measureVoiceoverInputSchema = strictObject({ voiceover: storedMediaSchema });

export type MeasureVoiceoverInput = z.input<typeof measureVoiceoverInputSchema>;

export type PackageExplainerInput = z.input<typeof packageExplainerInputSchema>;
