import type { Command } from 'commander';
import { promptTextSchema, type ReviewView } from '../../schemas';
import { InputError } from '../input-error';
import { requireWorkloadId, type ReviewedWorkload, type ReviewedWorkloadSpec } from '../review/reviewed-workload';
import type { RunwayTemporal } from '../runway-temporal';
import { out, withClient } from './with-client';

/** A reviewed workload's side of the CLI: its sub-client, how it is named, and how its progress and result print. */
export interface ReviewCommandsSpec<Progress extends ReviewView, Result> {
  review: ReviewedWorkloadSpec;
  client(api: RunwayTemporal): ReviewedWorkload<Progress, Result>;
  printProgress(progress: Progress): void;
  printResult(result: Result): void;
  /** What finalize does, and what --allow-unapproved lets it do. */
  finalize: { description: string; allowUnapproved: string };
}

/**
 * The review room's verbs on a workload's command group, the same for every reviewed workload: approve,
 * select, reject, finalize (`broll approve ID s01`, `explainer approve ID c01`). Every argument is checked
 * before connecting, so a missing item or an empty prompt never hides behind "cannot reach Temporal"; the
 * workflow's own refusals (unknown item, still generating, ended) come back as one line on stderr, exit 2.
 */
export function registerReviewCommands<Progress extends ReviewView, Result>(
  group: Command,
  spec: ReviewCommandsSpec<Progress, Result>,
): void {
  const { idField, item, itemsField } = spec.review;
  const printed = async (id: string, json: boolean | undefined, act: (api: RunwayTemporal) => Promise<Progress>) => {
    requireWorkloadId(spec.review, id);
    await withClient(async (api) => {
      const progress = await act(api);
      if (json) return out(JSON.stringify(progress));
      spec.printProgress(progress);
    });
  };

  group
    .command(`approve <${idField}> [${itemsField}...]`)
    .description(`approve ${itemsField}' one take each (or --all of those awaiting review); with several takes, select one`)
    .option('--all', 'approve every clip awaiting review')
    .option('--json', 'write one JSON document on stdout')
    .action(async (id: string, keys: string[], options: { all?: boolean; json?: boolean }) => {
      if (options.all && keys.length > 0) throw new InputError('--all', `name ${itemsField} or pass --all, not both`);
      if (!options.all && keys.length === 0) throw new InputError(itemsField, `name at least one ${item}, or pass --all`);
      await printed(id, options.json, (api) => spec.client(api).approve(id, options.all ? 'all' : keys));
    });

  group
    .command(`select <${idField}> <${item}>`)
    .description(`select one of a ${item}'s takes: the one its delivery uses`)
    .requiredOption('--take <n>', 'the take number (as status and the review page show it)')
    .option('--json', 'write one JSON document on stdout')
    .action(async (id: string, key: string, options: { take: string; json?: boolean }) => {
      const take = Number(options.take);
      if (!/^\d+$/.test(options.take) || take < 1) throw new InputError('--take', `${options.take} is not a take number (1, 2, …)`);
      await printed(id, options.json, (api) => spec.client(api).select(id, key, take));
    });

  group
    .command(`reject <${idField}> <${item}>`)
    .description(`reject a ${item}'s takes; a new round of takes is generated from the new prompt`)
    .requiredOption('--prompt <text>', `the new prompt for the ${item}`)
    .option('--json', 'write one JSON document on stdout')
    .action(async (id: string, key: string, options: { prompt: string; json?: boolean }) => {
      const prompt = promptTextSchema.safeParse(options.prompt);
      if (!prompt.success) throw new InputError('--prompt', prompt.error.issues.map((issue) => issue.message).join('; '));
      await printed(id, options.json, (api) => spec.client(api).reject(id, key, prompt.data));
    });

  group
    .command(`finalize <${idField}>`)
    .description(spec.finalize.description)
    .option('--allow-unapproved', spec.finalize.allowUnapproved)
    .option('--json', 'write one JSON document on stdout')
    .action(async (id: string, options: { allowUnapproved?: boolean; json?: boolean }) => {
      requireWorkloadId(spec.review, id);
      await withClient(async (api) => {
        const result = await spec.client(api).finalize(id, { allowUnapproved: options.allowUnapproved ?? false });
        if (options.json) return out(JSON.stringify(result));
        spec.printResult(result);
      });
    });
}

/** A reviewed workload's items, one line each: state, round, each take (✓ selected), and a voiceover's take. */
export function printReviewItems(progress: ReviewView, label: (key: string) => string = (key) => key): void {
  for (const reviewed of progress.items) {
    const takes = reviewed.takes
      .map(
        (take) =>
          `t${take.take}${reviewed.selectedTake === take.take ? '✓' : ''} ${take.state}${take.state === 'failed' && take.error ? ` (${take.error})` : ''}`,
      )
      .join(', ');
    const voiceover = reviewed.voiceover
      ? `; voiceover t${reviewed.voiceover.take} ${reviewed.voiceover.state}${reviewed.voiceover.state === 'failed' && reviewed.voiceover.error ? ` (${reviewed.voiceover.error})` : ''}`
      : '';
    out(`  ${label(reviewed.key).padEnd(12)} ${reviewed.state.padEnd(16)} r${reviewed.round} ${takes}${voiceover}`.trimEnd());
  }
}
