import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { InputError } from '../../client';
import { FailureType, brollWorkflowInputSchema, segmentStateSchema, type SegmentClip } from '../../schemas';
import { BrollProject } from '../../workflows/broll/project';
import { CreditBook } from '../../workflows/generation/credit-book';
import { brollInput } from '../helpers/broll-input';
import { fuzz, fuzzSetup, mutatedJson, outcomeOf, type Outcome } from '../helpers/fuzz';

/**
 * The review and finalize Updates' payloads, generated and mutated from an editor's real decisions: the typed client
 * sends them (to nothing) or refuses them with an InputError naming the field; the project's own validators — what
 * the workflow runs before an Update is accepted — take them or refuse them as ReviewRefused naming the segment or
 * the rule, whatever state the project's segments are in; never another exception.
 */
const { api } = fuzzSetup('review');
const decisions = [
  { segmentId: 's01', action: 'approve' },
  { segmentId: 's02', action: 'reject', promptText: 'Women salting herring on a wooden quay, 1970s 16 mm film' },
];

test('review and finalize payloads through the client: sent or refused with an InputError naming the field', async () => {
  const input = fc.oneof(
    mutatedJson({ projectId: 'harbour', decisions }).map((value) => ({ verb: 'review' as const, value })),
    mutatedJson({ projectId: 'harbour', options: { allowUnapproved: true } }).map((value) => ({ verb: 'finalize' as const, value })),
    mutatedJson({ projectId: 'harbour', segmentIds: ['s01', 's03'] }).map((value) => ({ verb: 'approve' as const, value })),
  );
  const tally = await fuzz(input, ({ verb, value }) => {
    const {
      projectId,
      decisions: sent,
      options,
      segmentIds,
    } = (value ?? {}) as { projectId: string; decisions: never; options: never; segmentIds: never };
    return outcomeOf(() =>
      verb === 'review'
        ? api.broll.review(projectId, sent)
        : verb === 'finalize'
          ? api.broll.finalize(projectId, options)
          : api.broll.approve(projectId, segmentIds),
    );
  });
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);

const SEGMENTS = 4;
const states = segmentStateSchema.options;
const clip = (round: number): SegmentClip => ({
  round,
  generationWorkflowId: `harbour--s01--r${round}`,
  promptText: 'a quay at dawn',
  bucket: 'b',
  key: `broll/harbour/s01/task-${round}.mp4`,
  sha256: 'a'.repeat(64),
  bytes: 1,
  durationSeconds: 5,
  runwayTaskId: `task-${round}`,
  credits: 60,
});

/** A project in any state the workflow can be in: each segment's state, round and clip; the budget; closed or not. */
const project = fc.record({
  segments: fc.array(fc.record({ state: fc.constantFrom(...states), round: fc.integer({ min: 1, max: 5 }), clip: fc.boolean() }), {
    minLength: SEGMENTS,
    maxLength: SEGMENTS,
  }),
  budgetCredits: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
  maxReviewRounds: fc.integer({ min: 1, max: 4 }),
  closing: fc.constantFrom(undefined, 'finalized' as const, 'review-expired' as const),
});

type ProjectState = typeof project extends fc.Arbitrary<infer T> ? T : never;

function projectIn(state: ProjectState): BrollProject {
  const prompts = Array.from({ length: SEGMENTS }, (_, index) => `harbour shot ${index + 1}`);
  const input = brollWorkflowInputSchema.parse(
    brollInput('harbour', prompts, {
      maxReviewRounds: state.maxReviewRounds,
      ...(state.budgetCredits !== undefined ? { budgetCredits: state.budgetCredits } : {}),
    }),
  );
  const built = new BrollProject(input, new CreditBook({ budgetCredits: input.budgetCredits, workload: 'project' }));
  built.segments.forEach((segment, index) => {
    const { state: segmentState, round, clip: hasClip } = state.segments[index]!;
    segment.progress.state = segmentState;
    segment.progress.round = round;
    if (hasClip) segment.progress.clip = clip(round);
  });
  built.closing = state.closing;
  return built;
}

/** A validator's verdict as an outcome: taken, or refused as ReviewRefused with a message that names a segment or the rule. */
async function verdict(validate: () => unknown): Promise<Outcome> {
  try {
    await validate();
    return { kind: 'accepted' };
  } catch (error) {
    if (!(error instanceof ApplicationFailure) || error.type !== FailureType.ReviewRefused) throw error;
    if (!/segment|decisions|finalize|review|budget|project/.test(error.message))
      throw new Error(`a refusal that names nothing: ${error.message}`);
    return { kind: 'refused', error: new InputError('review', error.message) };
  }
}

test('the review and finalize validators, any payload in any project state: taken or refused as ReviewRefused, never a crash', async () => {
  const payload = fc.oneof(
    mutatedJson({ decisions }).map((value) => ({ verb: 'review' as const, value })),
    mutatedJson({ allowUnapproved: true }).map((value) => ({ verb: 'finalize' as const, value })),
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({ verb: 'review' as const, value })),
  );
  const tally = await fuzz(fc.tuple(project, payload), ([state, { verb, value }]) => {
    const built = projectIn(state);
    return verdict(() => (verb === 'review' ? built.refuseReview(value as never) : built.refuseFinalize(value as never)));
  });
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);
