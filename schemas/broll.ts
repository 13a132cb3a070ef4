import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { durationMsSchema } from './duration';
import { generationOptionsInputSchema, generationOptionsSchema } from './options';
import { promptTextSchema } from './video-request';
import { strictObject } from './strict-object';
import { resolvedVideoRequestSchema } from './generation';
import { promptWriterNameSchema } from './prompt';
import { takesSchema, type ContactSheetRef, type ReviewItemProgress, type ReviewView } from './review';

/**
 * Documentary B-roll: a transcript cut into segments, each a shot prompt (animating the segment's archival
 * photograph when it has one), generated as takes the editor chooses from in the review room, and a
 * timeline (CMX 3600 EDL, FCP 7 XML, CSV) the editor's tools import. These schemas are the contract between
 * the project file, the planner (client), the BrollWorkflow and the review page.
 */

const segmentKeySchema = z.string().regex(/^s\d{2,3}$/, 'segment ids are s01, s02, …');

/** The project file (JSON or YAML) an editor or producer writes. */
export const brollProjectFileSchema = strictObject({
  projectId: idSchema('projectId'),
  /** A path (relative to the project file) to an .srt or .vtt file, or a .txt/.md file with one segment per paragraph. */
  transcript: z.string().min(1, 'transcript must name a file'),
  brief: strictObject({
    /** Era and look, e.g. "1970s 16 mm film, warm grain, handheld". */
    style: z.string().min(1, 'brief.style must not be empty').max(300),
    model: z.string(),
    ratio: z.string(),
    promptImage: z.string().optional(),
    /**
     * A template instead of the prompt writer: uses {keywords}, {text} and {style}, at least {keywords} or
     * {text}. Without it every segment's prompt is a shot the prompt writer reads from the narration.
     */
    promptTemplate: z.string().min(1).optional(),
  }),
  /** Takes generated for each segment (and each new round), 1–4, each its own seed: the editor selects one. */
  takesPerSegment: takesSchema.default(1),
  /** A folder of archival photographs, each named by its segment (s03.jpg, s03-lock-1911.png): those segments animate them. */
  photos: z.string().min(1).optional(),
  /** What the producer gives per segment: its photograph (a file or an https URL) and its keywords, which win over extracted ones. */
  segments: z
    .record(
      segmentKeySchema,
      strictObject({
        photo: z.string().min(1).optional(),
        keywords: z.array(z.string().trim().min(1, 'a keyword must not be empty').max(60)).min(1).max(12).optional(),
      }),
    )
    .default({}),
  /** Plain-text transcripts have no timecodes: they are spoken at this pace. */
  wordsPerSecond: z.number().positive().max(10).default(2.5),
  /** Frames per second of the edit list's timecodes (non-drop frame). */
  fps: z.union([z.literal(24), z.literal(25), z.literal(30)]).default(25),
  /** Per-segment prompts that replace the template's, by segment id (s01, s02, …). */
  overrides: z.record(z.string(), strictObject({ promptText: promptTextSchema })).default({}),
  archive: strictObject({ bucket: bucketSchema.optional(), prefix: keyPrefixSchema.optional() }).default({}),
  options: generationOptionsInputSchema
    .extend({
      /** How many review rounds (reject → regenerate) a project allows. */
      maxReviewRounds: z.number().int().min(1).max(20).optional(),
      /** After every clip is generated, how long the editor has to finish the review ("3d", "12h"). */
      reviewDeadline: durationMsSchema.optional(),
    })
    .default({}),
});
export type BrollProjectFileInput = z.input<typeof brollProjectFileSchema>;
export type BrollProjectFile = z.output<typeof brollProjectFileSchema>;

/** One planned segment: where it sits in the programme, what it says, and the clip it asks for. */
export const brollSegmentPlanSchema = z.object({
  segmentId: idSchema('segmentId'),
  /** Record in/out on the programme's timeline, ms from its start. */
  recordInMs: z.number().int().nonnegative(),
  recordOutMs: z.number().int().positive(),
  text: z.string().min(1),
  keywords: z.array(z.string()),
  /** The request as the generation workflow takes it (image staged), without a take's seed. */
  request: resolvedVideoRequestSchema,
  /** Whether the model takes a seed: then each take asks for its own (takeSeed). */
  seeded: z.boolean().default(false),
  /** Fingerprints of round 1's takes (each with its seed), take 1 first. */
  takeFingerprints: z.array(z.string()).min(1),
  /** List-price credits of one take of this segment. */
  estimatedCredits: z.number().nonnegative(),
  /** The archival photograph this segment animates: where it came from and its size. */
  photo: z.object({ source: z.string(), sha256: z.string(), width: z.number(), height: z.number() }).optional(),
  /** Which writer made the prompt, and why a language model's prompt was not used. */
  prompt: z
    .object({
      writer: z.union([promptWriterNameSchema, z.enum(['template', 'override'])]),
      model: z.string().optional(),
      fallback: z.string().optional(),
    })
    .optional(),
});
export type BrollSegmentPlan = z.infer<typeof brollSegmentPlanSchema>;

/** The BrollWorkflow's input: the plan, made before any spend. */
export const brollWorkflowInputSchema = z.object({
  projectId: z.string(),
  segments: z.array(brollSegmentPlanSchema).min(1),
  fps: z.union([z.literal(24), z.literal(25), z.literal(30)]),
  archive: z.object({ bucket: z.string(), prefix: z.string() }),
  options: generationOptionsSchema,
  budgetCredits: z.number().nonnegative().optional(),
  takesPerSegment: takesSchema.default(1),
  maxReviewRounds: z.number().int().min(1).default(3),
  reviewDeadlineMs: z.number().positive().optional(),
  taskQueue: z.string().optional(),
});
export type BrollWorkflowInput = z.input<typeof brollWorkflowInputSchema>;

/** The project as a whole; also the `ProjectState` search attribute. */
export const projectStateSchema = z.enum(['generating', 'awaiting-review', 'finalized', 'review-expired', 'cancelled']);
export type ProjectState = z.infer<typeof projectStateSchema>;

/** A segment in the review room: its takes, and where it sits in the programme and what it says. */
export interface SegmentReview extends ReviewItemProgress {
  segmentId: string;
  recordInMs: number;
  recordOutMs: number;
  text: string;
  /** The archival photograph it animates, as the project names it. */
  photo?: string;
}

/** What the `brollProgress` query and the review Update answer: the review room's view of the project. */
export interface BrollProgress extends ReviewView<SegmentReview> {
  projectId: string;
  state: ProjectState;
  /** The ratio every take was asked for ("1280:720"): the timeline's frame size. */
  ratio?: string;
  /** Frames per second of the project's timeline. */
  fps: 24 | 25 | 30;
}

export type { ContactSheetRef };

/** One segment as the BrollWorkflow hands it to the edit-list activity: where it sits, what it says, and its clip if it has one to list. */
export interface EditListSegment {
  segmentId: string;
  recordInMs: number;
  recordOutMs: number;
  text: string;
  promptText: string;
  round: number;
  approval: EditListEntry['approval'];
  /** The delivered take: its file name as editors read it (`<projectId>-s01-t2.mp4`), where it is, its hash and length. */
  clip?: { name: string; take: number; key: string; sha256: string; durationSeconds: number; width?: number; height?: number };
}

/** One line of the edit list's JSON and CSV records. */
export interface EditListEntry {
  event: number;
  segmentId: string;
  recordIn: string;
  recordOut: string;
  recordInMs: number;
  recordOutMs: number;
  text: string;
  promptText: string;
  clipKey?: string;
  /** The clip's file name in S3, the export folder and every list. */
  clipName?: string;
  take?: number;
  sha256?: string;
  durationSeconds?: number;
  /** Frames of the clip on the timeline (the clip trimmed to its segment). */
  frames?: number;
  round: number;
  approval: 'approved' | 'unapproved' | 'missing';
}

export interface BrollResult {
  projectId: string;
  state: ProjectState;
  editList: { bucket: string; edlKey: string; csvKey: string; jsonKey: string; xmlKey: string };
  entries: EditListEntry[];
  /** Segments without an approved clip (finalized with allowUnapproved, or the review deadline passed). */
  missing: string[];
  credits: number;
  /** The plan's estimate at list price (one submission per generation), beside `credits`, Runway's bill. */
  estimatedCredits?: number;
  contactSheet?: ContactSheetRef;
}
