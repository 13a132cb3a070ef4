import { z } from 'zod';
import { REVIEW_STATES } from './review-values';
import { SPEECH_MODEL_CATALOG } from './catalog';
import { promptTextSchema } from './video-request';

/**
 * The review room's contract, the same for every workload that asks a person to decide (a B-roll
 * segment's takes, an explainer chunk's clip): an item (by its key: a segment id, a chunk id) is
 * generated in rounds of takes; the reviewer selects one take, or rejects the round with a new prompt,
 * which starts the next round. Take numbers run on across rounds (round 2 of a two-take item makes takes
 * 3 and 4), so a take's number names it for good: in the CLI, on the page, in file names. An item that is
 * narrated (an explainer chunk) also has a voiceover, which the reviewer may have redone with new text.
 */

export const MAX_TAKES = 4;
export const takesSchema = z.number().int().min(1, 'takesPerSegment must be 1–4').max(MAX_TAKES, `takesPerSegment must be 1–${MAX_TAKES}`);

/** Where an item is: generating → awaiting review → approved (a take selected), or failed (reject it with a new prompt). */
export const reviewStateSchema = z.enum(REVIEW_STATES);
export type ReviewState = z.infer<typeof reviewStateSchema>;

/** Narration a voiceover says: what the speech models take (the catalog's shortest limit). */
export const MAX_NARRATION_LENGTH = Math.min(...Object.values(SPEECH_MODEL_CATALOG).map((model) => model.maxTextLength));
export const narrationTextSchema = z
  .string()
  .trim()
  .min(1, 'the new narration must not be empty')
  .max(MAX_NARRATION_LENGTH, `the new narration must be at most ${MAX_NARRATION_LENGTH} characters`);

/**
 * A reviewer's decision on one item. `approve` selects the item's one finished take; `revoice` has a
 * narrated item's voiceover made again from new text (which becomes its narration and caption).
 */
export const reviewDecisionSchema = z.discriminatedUnion('action', [
  z.object({ key: z.string().min(1), action: z.literal('select'), take: z.number().int().min(1) }),
  z.object({ key: z.string().min(1), action: z.literal('approve') }),
  z.object({ key: z.string().min(1), action: z.literal('reject'), promptText: promptTextSchema }),
  z.object({ key: z.string().min(1), action: z.literal('revoice'), text: narrationTextSchema }),
]);
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

export const reviewUpdateSchema = z.object({ decisions: z.array(reviewDecisionSchema).min(1) });
export type ReviewUpdate = z.infer<typeof reviewUpdateSchema>;

/** Close the review: every item approved, or allowUnapproved (the unapproved are listed as such, or missing). */
export const finalizeUpdateSchema = z.object({ allowUnapproved: z.boolean().default(false) });
export type FinalizeUpdate = z.input<typeof finalizeUpdateSchema>;

/** What a take's generation archived. */
export interface TakeOutput {
  bucket: string;
  key: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
  runwayTaskId: string;
}

export interface ReviewTake {
  take: number;
  round: number;
  /** The seed sent to Runway (distinct per take), when the model takes one. */
  seed?: number;
  state: 'generating' | 'ready' | 'failed';
  /** The generation workflow that makes it. */
  generationId: string;
  promptText: string;
  output?: TakeOutput;
  /** What Runway billed this take (0 when an earlier run's archived take was reused). */
  credits: number;
  error?: string;
}

/** A narrated item's voiceover: take 1 from the plan's text, each redo the next take with the reviewer's text. */
export interface ReviewVoiceover {
  take: number;
  state: 'generating' | 'ready' | 'failed';
  /** The generation workflow that makes it. */
  generationId: string;
  text: string;
  output?: TakeOutput;
  credits: number;
  error?: string;
  /** Earlier takes, redone with new text; their audio stays in S3. */
  replaced: Array<{ take: number; text: string; output?: TakeOutput; error?: string }>;
}

export interface ReviewItemProgress {
  key: string;
  state: ReviewState;
  round: number;
  /** The prompt of the current round. */
  promptText: string;
  /** The current round's takes. */
  takes: ReviewTake[];
  /** The take the reviewer selected (approved). */
  selectedTake?: number;
  /** Earlier rounds, rejected with a new prompt; their takes stay in S3. */
  rejectedRounds: Array<{ round: number; promptText: string; rejectedWith: string; takes: ReviewTake[] }>;
  /** The item's voiceover, when it is narrated. */
  voiceover?: ReviewVoiceover;
  /** Why the item cannot be approved as it is (every take failed, or its voiceover did). */
  error?: string;
}

/** A workload's contact sheet: a frame of every take, one image in S3. */
export interface ContactSheetRef {
  bucket: string;
  key: string;
  /** The takes it shows, so a page knows when it is out of date. */
  takes: number;
}

/** What a workload's review query and its review Update answer. */
export interface ReviewView<Item extends ReviewItemProgress = ReviewItemProgress> {
  workloadId: string;
  /** The workload's own state (a B-roll project's or an explainer's ProjectState). */
  state: string;
  /** Whether the room takes decisions now: the workload is reviewed and not closing, ended or cancelled. */
  open: boolean;
  round: number;
  maxReviewRounds: number;
  takesPerItem: number;
  /** Items whose takes wait for a decision. */
  pendingDecisions: string[];
  counts: Record<ReviewState, number>;
  items: Item[];
  creditsSpent: number;
  reviewDeadline?: string;
  contactSheet?: ContactSheetRef;
}
