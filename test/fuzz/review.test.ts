import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { InputError } from '../../client';
import { FailureType } from '../../schemas';
import { MAX_TAKES, reviewStateSchema, type ReviewItemProgress } from '../../schemas/review';
import { ReviewRoom } from '../../workflows/review/room';
import { fuzz, fuzzSetup, mutatedJson, outcomeOf, type Outcome } from '../helpers/fuzz';

/**
 * The review and finalize Updates' payloads, generated and mutated from an editor's real decisions: the typed client
 * sends them (to nothing) or refuses them with an InputError naming the field; the review room's validators — what
 * every reviewed workload's workflow runs before an Update is accepted — take them or refuse them as ReviewRefused
 * naming the item, the take or the rule, whatever state the items and their takes are in; never another exception.
 */
const { api } = fuzzSetup('review');
const decisions = [
  { key: 's01', action: 'select', take: 2 },
  { key: 's02', action: 'reject', promptText: 'Women salting herring on a wooden quay, 1970s 16 mm film' },
];

test('review and finalize payloads through the client: sent or refused with an InputError naming the field', async () => {
  const input = fc.oneof(
    mutatedJson({ projectId: 'harbour', decisions }).map((value) => ({ verb: 'review' as const, value })),
    mutatedJson({ projectId: 'harbour', options: { allowUnapproved: true } }).map((value) => ({ verb: 'finalize' as const, value })),
    mutatedJson({ projectId: 'harbour', segmentIds: ['s01', 's03'] }).map((value) => ({ verb: 'approve' as const, value })),
    mutatedJson({ projectId: 'harbour', segmentId: 's01', take: 2 }).map((value) => ({ verb: 'select' as const, value })),
  );
  const tally = await fuzz(input, ({ verb, value }) => {
    const sent = (value ?? {}) as {
      projectId: string;
      decisions: never;
      options: never;
      segmentIds: never;
      segmentId: string;
      take: number;
    };
    const send = {
      review: () => api.broll.review(sent.projectId, sent.decisions),
      finalize: () => api.broll.finalize(sent.projectId, sent.options),
      approve: () => api.broll.approve(sent.projectId, sent.segmentIds),
      select: () => api.broll.select(sent.projectId, sent.segmentId, sent.take),
    };
    return outcomeOf(send[verb]);
  });
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);

const ITEMS = 4;

/** A review in any state a workload's can be in: each item's state, round and takes; the rules; closed or not. */
const room = fc.record({
  items: fc.array(
    fc.record({
      state: fc.constantFrom(...reviewStateSchema.options),
      round: fc.integer({ min: 1, max: 5 }),
      takes: fc.array(fc.constantFrom('generating' as const, 'ready' as const, 'failed' as const), { maxLength: MAX_TAKES }),
      selected: fc.boolean(),
    }),
    { minLength: ITEMS, maxLength: ITEMS },
  ),
  takesPerItem: fc.integer({ min: 1, max: MAX_TAKES }),
  maxRounds: fc.integer({ min: 1, max: 4 }),
  remaining: fc.integer({ min: 0, max: 1000 }),
  closing: fc.constantFrom(undefined, 'finalized' as const, 'review-expired' as const),
  cancelled: fc.boolean(),
});
type RoomState = typeof room extends fc.Arbitrary<infer T> ? T : never;

function roomIn(state: RoomState): ReviewRoom<ReviewItemProgress> {
  const items = state.items.map((item, index): ReviewItemProgress => {
    const first = (item.round - 1) * state.takesPerItem + 1;
    const takes = item.takes.map((takeState, offset) => ({
      take: first + offset,
      round: item.round,
      state: takeState,
      generationId: `harbour--s0${index + 1}--t${first + offset}`,
      promptText: 'a quay at dawn',
      credits: takeState === 'generating' ? 0 : 60,
      ...(takeState === 'ready'
        ? {
            output: {
              bucket: 'b',
              key: `k${index}-${offset}`,
              sha256: 'a'.repeat(64),
              bytes: 1,
              durationSeconds: 5,
              runwayTaskId: `t${index}-${offset}`,
            },
          }
        : {}),
    }));
    return {
      key: `s0${index + 1}`,
      state: item.state,
      round: item.round,
      promptText: 'a quay at dawn',
      takes,
      rejectedRounds: [],
      ...(item.selected && takes[0] ? { selectedTake: takes[0].take } : {}),
    };
  });
  const built = new ReviewRoom(items, {
    workloadId: 'harbour',
    noun: 'segment',
    workload: 'project',
    takesPerItem: state.takesPerItem,
    maxRounds: state.maxRounds,
    takeCredits: () => 60,
    remaining: () => state.remaining,
    budgetCredits: 1000,
    generationId: (key, take) => `harbour--${key}--t${take}`,
    seed: () => undefined,
    gapsAllowed: true,
    unapprovedMeans: (them) => `list ${them} as missing`,
  });
  built.closing = state.closing;
  built.cancelled = state.cancelled;
  return built;
}

/** A validator's verdict as an outcome: taken, or refused as ReviewRefused with a message that names a segment or the rule. */
async function verdict(validate: () => unknown): Promise<Outcome> {
  try {
    await validate();
    return { kind: 'accepted' };
  } catch (error) {
    if (!(error instanceof ApplicationFailure) || error.type !== FailureType.ReviewRefused) throw error;
    if (!/segment|take|decisions|finalize|review|budget|project/.test(error.message))
      throw new Error(`a refusal that names nothing: ${error.message}`);
    return { kind: 'refused', error: new InputError('review', error.message) };
  }
}

test("the review room's validators, any payload in any state: taken or refused as ReviewRefused, never a crash", async () => {
  const decisions = [
    { key: 's01', action: 'select', take: 2 },
    { key: 's02', action: 'approve' },
    { key: 's03', action: 'reject', promptText: 'Women salting herring on a wooden quay, 1970s 16 mm film' },
    // A segment has no voiceover: a redo is refused naming it, whatever else the payload holds.
    { key: 's04', action: 'revoice', text: 'The quay was silver with the catch.' },
  ];
  const payload = fc.oneof(
    mutatedJson({ decisions }).map((value) => ({ verb: 'review' as const, value })),
    mutatedJson({ allowUnapproved: true }).map((value) => ({ verb: 'finalize' as const, value })),
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({ verb: 'review' as const, value })),
  );
  const tally = await fuzz(fc.tuple(room, payload), ([state, { verb, value }]) => {
    const built = roomIn(state);
    return verdict(() => (verb === 'review' ? built.refuseReview(value as never) : built.refuseFinalize(value as never)));
  });
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);
