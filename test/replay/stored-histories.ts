import fs from 'node:fs';
import path from 'node:path';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CodeVersion } from '../../infra/code-version';
import * as workflows from '../../workflows';
import type { StatedBehaviour } from '../../workflows/versioning';
import { historyFromJson } from './history-json';
import { quietLogger } from '../../scripts/in-process-product';

/** The stored histories: one Temporal JSON history per file (as `temporal workflow show --output json` writes), and index.json. */
export const historiesDir = path.join(__dirname, 'histories');
const indexFile = path.join(historiesDir, 'index.json');
/**
 * Histories recorded before a `patched()` change, kept by hand (a capture replaces historiesDir): runs that
 * were open when the change shipped must replay through the patch the old way.
 */
export const prePatchHistoriesDir = path.join(__dirname, 'histories-before-patches');

export interface StoredHistoryEntry {
  /** File name in historiesDir. */
  file: string;
  /** The capture scenario that made it, and what it shows. */
  scenario: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  /** How the run stood when captured: COMPLETED, CONTINUED_AS_NEW, FAILED, or RUNNING (the lease pool never ends). */
  status: string;
  events: number;
  /**
   * A history kept from before a patch: the patch it replays through and, where the new way schedules an activity the
   * old one did not, that activity. Its file is the captured one's name with `.before-…` before `.json`.
   */
  before?: { patch: string; activity?: string };
  /** When and on what code it was recorded, where that differs from the index's. */
  capturedAt?: string;
  code?: CodeVersion & { buildId: string | undefined };
}

export interface HistoryIndex {
  capturedAt: string;
  /** The code that made these histories: the package version and git commit (dirty when tracked files differed). */
  code: CodeVersion & { buildId: string | undefined };
  temporalServer: string;
  histories: StoredHistoryEntry[];
}

export function readHistoryIndex(dir: string = historiesDir): HistoryIndex {
  const file = path.join(dir, 'index.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: capture the histories with \`npm run histories:capture\``);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as HistoryIndex;
}

export function writeHistoryIndex(index: HistoryIndex): void {
  fs.writeFileSync(indexFile, `${JSON.stringify(index, null, 2)}\n`);
}

/** The ids of the `patched()` markers a stored history recorded (each marker's data is an encoded JSON payload). */
export function patchMarkers(dir: string, file: string): string[] {
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
    events: Array<{
      markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> };
    }>;
  };
  return history.events.flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    return Object.values(marker.details ?? {}).flatMap((details) =>
      (details.payloads ?? []).map(
        (payload) => (JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8')) as { id: string }).id,
      ),
    );
  });
}

/** The captured history a pre-patch one stands beside: `x.y.before-z.json` → `x.y.json`. */
export function capturedCounterpart(file: string): string {
  return file.replace(/\.before-[^.]+\.json$/, '.json');
}

export interface ReplayOutcome {
  entry: StoredHistoryEntry;
  error: Error | undefined;
}

/** A workflow module bundled quietly: this checkout's workflows/ by default, or a test's changed copy. */
export function bundleWorkflows(workflowsPath: string = require.resolve('../../workflows')): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietLogger });
}

/**
 * Replays stored histories on a workflow bundle with Worker.runReplayHistories: an error is the first command
 * the code no longer makes as the history recorded it (a DeterminismViolationError), or a workflow task that
 * failed on replay.
 */
export async function replayStored(
  entries: StoredHistoryEntry[],
  workflowBundle: WorkflowBundleWithSourceMap,
  dir: string = historiesDir,
): Promise<ReplayOutcome[]> {
  const histories = entries.map((entry) => ({
    workflowId: entry.workflowId,
    history: historyFromJson(fs.readFileSync(path.join(dir, entry.file), 'utf8')),
  }));
  const outcomes: ReplayOutcome[] = [];
  let index = 0;
  // One history at a time, in order: each result answers the history given at the same position.
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'stored histories' }, histories)) {
    outcomes.push({ entry: entries[index++]!, error: result.error });
  }
  return outcomes;
}

/** Every workflow type the worker registers, with the versioning behaviour its definition states (undefined: none). */
export function workflowTypes(): Array<{ name: string; behaviour: string | undefined }> {
  return Object.entries(workflows).map(([name, fn]) => ({
    name,
    behaviour: (fn as { workflowDefinitionOptions?: Partial<StatedBehaviour> }).workflowDefinitionOptions?.behaviour,
  }));
}
