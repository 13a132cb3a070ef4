import { z } from 'zod';
import { bucketSchema, idSchema, keyPrefixSchema } from './ids';
import { durationMsSchema } from './duration';
import { generationOptionsInputSchema, generationOptionsSchema } from './options';
import { promptTextSchema } from './video-request';
import { strictObject } from './strict-object';
import { resolvedVideoRequestSchema } from './generation';

/**
 * Documentary B-roll: a transcript cut into segments, one generated clip per segment, an editor's review
 * of every clip, and an edit list the editor's tools import. These schemas are the contract between the
 * project file, the planner (client), the BrollWorkflow and the review page.
 */

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
    /** Uses {keywords}, {text} and {style}; at least {keywords} or {text}. */
    promptTemplate: z.string().min(1).default('{style}. {keywords}'),
  }),
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
  /** The request as the video workflow takes it (image staged) and its fingerprint. */
  request: resolvedVideoRequestSchema,
  fingerprint: z.string(),
  /** List-price credits of one generation of this segment. */
  estimatedCredits: z.number().nonnegative(),
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
  maxReviewRounds: z.number().int().min(1).default(3),
  reviewDeadlineMs: z.number().positive().optional(),
  taskQueue: z.string().optional(),
});
export type BrollWorkflowInput = z.input<typeof brollWorkflowInputSchema>;

/** Where a segment is: generating → awaiting review → approved, or rejected → generating again. */
export const segmentStateSchema = z.enum(['generating', 'awaiting-review', 'approved', 'failed']);
export type SegmentState = z.infer<typeof segmentStateSchema>;

/** The project as a whole; also the `ProjectState` search attribute. */
export const projectStateSchema = z.enum(['generating', 'awaiting-review', 'finalized', 'review-expired', 'cancelled']);
export type ProjectState = z.infer<typeof projectStateSchema>;

/** An editor's decision on one segment's current clip. */
export const reviewDecisionSchema = z.discriminatedUnion('action', [
  z.object({ segmentId: z.string(), action: z.literal('approve') }),
  z.object({ segmentId: z.string(), action: z.literal('reject'), promptText: promptTextSchema }),
]);
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

export const reviewUpdateSchema = z.object({ decisions: z.array(reviewDecisionSchema).min(1) });
export type ReviewUpdate = z.infer<typeof reviewUpdateSchema>;

export const finalizeUpdateSchema = z.object({ allowUnapproved: z.boolean().default(false) });
export type FinalizeUpdate = z.input<typeof finalizeUpdateSchema>;

/** A generated clip of a segment (the current one, or an earlier, rejected one). */
export interface SegmentClip {
  round: number;
  /** The generation workflow that made it. */
  generationWorkflowId: string;
  promptText: string;
  bucket: string;
  key: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
  runwayTaskId: string;
  credits: number;
  /** Rejected clips stay in S3, marked here. */
  rejected?: { promptText: string };
}

export interface SegmentProgress {
  segmentId: string;
  state: SegmentState;
  round: number;
  recordInMs: number;
  recordOutMs: number;
  text: string;
  promptText: string;
  clip?: SegmentClip;
  rejectedClips: SegmentClip[];
  error?: string;
}

/** What the `brollProgress` query and the review Update answer. */
export interface BrollProgress {
  projectId: string;
  state: ProjectState;
  round: number;
  maxReviewRounds: number;
  counts: Record<SegmentState, number>;
  /** Segments whose current clip waits for a decision. */
  pendingDecisions: string[];
  segments: SegmentProgress[];
  creditsSpent: number;
  reviewDeadline?: string;
}

/** One segment as the BrollWorkflow hands it to the edit-list activity: where it sits, what it says, and its clip if it has one to list. */
export interface EditListSegment {
  segmentId: string;
  recordInMs: number;
  recordOutMs: number;
  text: string;
  promptText: string;
  round: number;
  approval: EditListEntry['approval'];
  clip?: { key: string; sha256: string; durationSeconds: number };
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
  sha256?: string;
  durationSeconds?: number;
  round: number;
  approval: 'approved' | 'unapproved' | 'missing';
}

export interface BrollResult {
  projectId: string;
  state: ProjectState;
  editList: { bucket: string; edlKey: string; csvKey: string; jsonKey: string };
  entries: EditListEntry[];
  /** Segments without an approved clip (finalized with allowUnapproved, or the review deadline passed). */
  missing: string[];
  credits: number;
}
