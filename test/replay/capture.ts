import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { buildIdOf, codeVersion } from '../../infra/code-version';
import { createSafeFetch } from '../../infra/safe-fetch';
import { startProduct } from '../helpers/product';
import { newWebhookSecret, startWebhookReceiver } from '../helpers/webhook-receiver';
import globalSetup from '../setup/global-setup';
import globalTeardown from '../setup/global-teardown';
import { historyToJson } from './history-json';
import { scenarios } from './scenarios';
import {
  bundleWorkflows,
  historiesDir,
  readHistoryIndex,
  replayStored,
  writeHistoryIndex,
  workflowTypes,
  type StoredHistoryEntry,
} from './stored-histories';

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `npm run histories:capture`: runs every scenario on a stack of its own (Temporal dev server, S3, simulator)
 * with the product's workers in this process, downloads each chosen run's history with the client and stores
 * it under test/replay/histories/ with index.json naming the code that made it. Run it when a workflow
 * changes on purpose; commit the code first, so the index names a commit.
 *
 * Auto-upgrading workflow types (the lease pool, webhook deliveries) replay their stored histories on the new code
 * first: their running executions will have to, so a change that breaks one needs patched() (docs/upgrades.md), not
 * a new capture. `--accept-break` captures anyway, for a release after which none of them runs anywhere.
 */
async function main(argv: string[]): Promise<void> {
  // The workers' and replayers' state changes would drown the scenario lines; warnings still show.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  await refuseBrokenAutoUpgrade(argv.includes('--accept-break'));
  const code = codeVersion();
  if (code.dirty) say('! tracked files differ from the commit: the index will say so (commit first to name the code exactly)');
  await globalSetup();
  // A receiver that refuses the first delivery, and a fetch the deployment lets reach it (RUNWAY_REHOST_ALLOW_PRIVATE=127.0.0.1).
  const webhookSecret = newWebhookSecret();
  const receiver = await startWebhookReceiver({ secret: webhookSecret, failFirst: 1, failStatus: 503, retryAfterSeconds: 1 });
  const safeFetch = createSafeFetch({ ca: receiver.caPem, allowPrivate: ['127.0.0.1'] });
  try {
    const product = await startProduct({ name: 'histories', cap: 10, deps: { webhookSecret, safeFetch } });
    const context = { ...product, webhookUrl: receiver.url };
    try {
      const entries: StoredHistoryEntry[] = [];
      const files: Array<{ file: string; json: string }> = [];
      for (const scenario of scenarios) {
        const startedAt = Date.now();
        const runs = await scenario.run(context);
        for (const run of runs) {
          const handle = product.client.workflow.getHandle(run.workflowId, run.runId);
          const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
          const file = `${scenario.name}.${run.label}.json`;
          files.push({ file, json: historyToJson(history) });
          const last = history.events?.at(-1);
          entries.push({
            file,
            scenario: `${scenario.name}: ${scenario.shows}`,
            workflowType: description.type,
            workflowId: run.workflowId,
            runId: run.runId,
            status: last?.workflowExecutionContinuedAsNewEventAttributes ? 'CONTINUED_AS_NEW' : description.status.name,
            events: history.events?.length ?? 0,
          });
        }
        say(`✔ ${scenario.name.padEnd(12)} ${runs.length} run(s) in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
      }
      const { serverVersion } = await product.client.workflowService.getSystemInfo({});
      // Only now, with every scenario through: a failed capture leaves the stored set as it was.
      for (const stale of fs.readdirSync(historiesDir).filter((name) => name.endsWith('.json'))) fs.rmSync(path.join(historiesDir, stale));
      for (const { file, json } of files) fs.writeFileSync(path.join(historiesDir, file), json);
      writeHistoryIndex({
        capturedAt: new Date().toISOString(),
        code: { ...code, buildId: buildIdOf(code) },
        temporalServer: serverVersion ?? 'unknown',
        histories: entries,
      });
      say(
        `stored ${entries.length} histories in ${path.relative(process.cwd(), historiesDir)} (code ${buildIdOf(code) ?? code.packageVersion})`,
      );
    } finally {
      await product.stop();
    }
  } finally {
    await safeFetch.close();
    await receiver.close();
    await globalTeardown();
  }
}

async function refuseBrokenAutoUpgrade(acceptBreak: boolean): Promise<void> {
  if (!fs.existsSync(path.join(historiesDir, 'index.json'))) return;
  const types = workflowTypes()
    .filter(({ behaviour }) => behaviour === 'AUTO_UPGRADE')
    .map(({ name }) => name);
  const stored = readHistoryIndex().histories.filter((entry) => types.includes(entry.workflowType));
  const broken = (await replayStored(stored, await bundleWorkflows())).filter((outcome) => outcome.error);
  if (broken.length === 0) return;
  const lines = broken.map(({ entry, error }) => `  ${entry.file} (${entry.workflowType}): ${error!.message.split('\n')[0]}`);
  const message = `${broken.length} stored history of an auto-upgrading workflow no longer replays on this code:\n${lines.join('\n')}`;
  if (!acceptBreak) {
    throw new Error(
      `${message}\nA running execution of it would fail the same way after the next deploy: guard the change with patched() (docs/upgrades.md), or pass --accept-break if none runs anywhere.`,
    );
  }
  say(`! ${message}\n  captured anyway (--accept-break)`);
}

main(process.argv).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`capture failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
