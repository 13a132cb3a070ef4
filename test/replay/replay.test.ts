import { bundleWorkflows, readHistoryIndex, replayStored, workflowTypes } from './stored-histories';

/**
 * Every stored history (test/replay/histories/, captured from the real stack by `npm run histories:capture`)
 * replays on this checkout's workflows: a change that would break a running execution fails here first.
 * Replay needs no server: the histories are the input.
 */
const index = readHistoryIndex();

test('every workflow type the worker registers states its versioning behaviour and has a stored history', () => {
  const stored = new Set(index.histories.map((entry) => entry.workflowType));
  const types = workflowTypes();
  expect(types.filter((type) => type.behaviour === undefined).map((type) => `${type.name}: no setWorkflowOptions beside it`)).toEqual([]);
  expect(types.filter((type) => !stored.has(type.name)).map((type) => `${type.name}: no history (npm run histories:capture)`)).toEqual([]);
  // The paths that matter most on replay: a campaign handing over by continue-as-new, a generation of each kind.
  expect(index.histories.some((entry) => entry.workflowType === 'CampaignWorkflow' && entry.status === 'CONTINUED_AS_NEW')).toBe(true);
  expect(index.histories.filter((entry) => entry.workflowType === 'GenerationWorkflow').length).toBeGreaterThanOrEqual(3);
});

test('every stored history replays on this code without a non-determinism error', async () => {
  const outcomes = await replayStored(index.histories, await bundleWorkflows());
  const failures = outcomes
    .filter((outcome) => outcome.error)
    .map(({ entry, error }) => `${entry.file} (${entry.workflowType}): ${error!.name}: ${error!.message.split('\n')[0]}`);
  expect(failures).toEqual([]);
  expect(outcomes).toHaveLength(index.histories.length);
}, 180_000);
