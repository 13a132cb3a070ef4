import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflows, readHistoryIndex, replayStored } from './stored-histories';

/**
 * What the replay suite catches: a release whose BrollWorkflow takes a new first step
 * (test/fixtures/broll-v2/release.ts) fails on a project history the current code recorded, while every other
 * stored history still replays on it; the same step behind patched() replays them all.
 */
const { histories } = readHistoryIndex();
const broll = histories.filter((entry) => entry.workflowType === 'BrollWorkflow');
const others = histories.filter((entry) => entry.workflowType !== 'BrollWorkflow');

test('a new step in BrollWorkflow fails the stored project history with a non-determinism error', async () => {
  expect(broll.length).toBeGreaterThan(0);
  const bundle = await bundleWorkflows(require.resolve('../fixtures/broll-v2/workflows'));
  const outcomes = await replayStored(histories, bundle);
  const failed = outcomes.filter((outcome) => outcome.error);
  expect(failed.map((outcome) => outcome.entry.file).sort()).toEqual(broll.map((entry) => entry.file).sort());
  for (const { error } of failed) {
    expect(error).toBeInstanceOf(DeterminismViolationError);
    expect(error!.message).toMatch(/nondetermin/i);
  }
  expect(outcomes.filter((outcome) => others.includes(outcome.entry) && !outcome.error)).toHaveLength(others.length);
}, 180_000);

test('the same step behind patched() replays every stored history', async () => {
  const bundle = await bundleWorkflows(require.resolve('../fixtures/broll-v2/workflows-patched'));
  const outcomes = await replayStored(histories, bundle);
  expect(outcomes.filter((outcome) => outcome.error).map(({ entry, error }) => `${entry.file}: ${error!.message}`)).toEqual([]);
}, 180_000);
