import { InputError } from '../../client';
import { requestFingerprint } from '../../infra/request-fingerprint';
import {
  creditsFor,
  generationOptionsInputSchema,
  resolveGenerationOptions,
  takeSeed,
  type BrollWorkflowInput,
  type GenerationOptionsInput,
  type ResolvedVideoRequest,
} from '../../schemas';
import { FAST_OPTIONS } from './product';
import { testStack } from './stack';

/**
 * A planned B-roll project made by hand (the planner is not needed to test the workflow): gen4.5
 * text-to-video 1280:720, 5 s clips, segments of ~6.3 s every 7.25 s so record timecodes need rounding.
 */
export function brollInput(
  projectId: string,
  prompts: string[],
  extra: Partial<Omit<BrollWorkflowInput, 'projectId' | 'segments' | 'options'>> & { options?: GenerationOptionsInput } = {},
): BrollWorkflowInput {
  const { options, ...rest } = extra;
  const takes = extra.takesPerSegment ?? 1;
  return {
    projectId,
    fps: 25,
    archive: { bucket: testStack().s3.bucket, prefix: 'broll/' },
    options: resolveGenerationOptions(generationOptionsInputSchema.parse({ ...FAST_OPTIONS, ...options })),
    segments: prompts.map((promptText, index) => {
      const request: ResolvedVideoRequest = { model: 'gen4.5', promptText, ratio: '1280:720', duration: 5 };
      return {
        segmentId: segmentId(index),
        recordInMs: index * 7_250,
        recordOutMs: index * 7_250 + 6_330,
        text: `Narration of segment ${index + 1}`,
        keywords: ['archive', `take${index + 1}`],
        request,
        seeded: takes > 1,
        takeFingerprints: Array.from({ length: takes }, (_, take) =>
          requestFingerprint(takes > 1 ? { ...request, seed: takeSeed(projectId, segmentId(index), take + 1) } : request),
        ),
        estimatedCredits: creditsFor('gen4.5', 5),
      };
    }),
    ...rest,
  };
}

export function segmentId(index: number): string {
  return `s${String(index + 1).padStart(2, '0')}`;
}

export interface ParsedEdlEvent {
  event: number;
  reel: string;
  track: string;
  transition: string;
  sourceIn: string;
  sourceOut: string;
  recordIn: string;
  recordOut: string;
  clipName?: string;
}

/** A CMX 3600 EDL read back the way an importer reads it: header lines, event lines, clip name comments. */
export function parseEdl(text: string): { title: string; fcm: string; events: ParsedEdlEvent[] } {
  const lines = text.split(/\r?\n/);
  const events: ParsedEdlEvent[] = [];
  let title = '';
  let fcm = '';
  for (const line of lines) {
    if (line.startsWith('TITLE:')) title = line.slice(6).trim();
    else if (line.startsWith('FCM:')) fcm = line.slice(4).trim();
    else if (line.startsWith('* FROM CLIP NAME:')) events[events.length - 1]!.clipName = line.slice(17).trim();
    else {
      const match =
        /^(\d{3})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d)$/.exec(
          line,
        );
      if (match)
        events.push({
          event: Number(match[1]),
          reel: match[2]!,
          track: match[3]!,
          transition: match[4]!,
          sourceIn: match[5]!,
          sourceOut: match[6]!,
          recordIn: match[7]!,
          recordOut: match[8]!,
        });
    }
  }
  return { title, fcm, events };
}

/** The InputError a refused call rejects with (a validator's refusal, bad input): its message. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message;
}
