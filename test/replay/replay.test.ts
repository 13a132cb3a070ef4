import fs from 'node:fs';
import path from 'node:path';
import {
  bundleWorkflows,
  capturedCounterpart,
  historiesDir,
  patchMarkers,
  prePatchHistoriesDir,
  readHistoryIndex,
  replayStored,
  workflowTypes,
} from './stored-histories';

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

test('histories recorded before a patch replay through it the old way; the captured ones take the new way', async () => {
  const before = readHistoryIndex(prePatchHistoriesDir);
  expect(before.histories.length).toBeGreaterThan(0);
  // The old way recorded no marker of the patch (nor the activity only the new way schedules); the same scenario
  // captured on this code recorded it.
  const schedules = (dir: string, file: string, activity: string) =>
    fs.readFileSync(path.join(dir, file), 'utf8').includes(`"${activity}"`);
  expect(
    before.histories
      .filter(
        (entry) =>
          patchMarkers(prePatchHistoriesDir, entry.file).includes(entry.before!.patch) ||
          (entry.before!.activity !== undefined && schedules(prePatchHistoriesDir, entry.file, entry.before!.activity)),
      )
      .map((entry) => entry.file),
  ).toEqual([]);
  expect(
    before.histories
      .filter((entry) => !patchMarkers(historiesDir, capturedCounterpart(entry.file)).includes(entry.before!.patch))
      .map((entry) => `${capturedCounterpart(entry.file)}: no ${entry.before!.patch}`),
  ).toEqual([]);
  const activities = [...new Set(before.histories.flatMap((entry) => (entry.before?.activity ? [entry.before.activity] : [])))];
  const explainers = index.histories.filter((entry) => entry.workflowType === 'ExplainerWorkflow' && entry.status === 'COMPLETED');
  expect(explainers.length).toBeGreaterThan(0);
  const oldWay = explainers.flatMap((entry) =>
    activities.filter((activity) => !schedules(historiesDir, entry.file, activity)).map((activity) => `${entry.file}: no ${activity}`),
  );
  expect(oldWay).toEqual([]);
  const outcomes = await replayStored(before.histories, await bundleWorkflows(), prePatchHistoriesDir);
  expect(outcomes.filter((outcome) => outcome.error).map(({ entry, error }) => `${entry.file}: ${error!.message.split('\n')[0]}`)).toEqual(
    [],
  );
  expect(outcomes).toHaveLength(before.histories.length);
}, 180_000);
