import fs from 'node:fs';
import path from 'node:path';
import { loadCampaignFile } from '../client/campaign/campaign-file';
import { watchCampaign } from '../client/cli/watch';
import { RunwayTemporal } from '../client/runway-temporal';
import { ensureStack, type EnsuredStack } from '../stack/ensure-stack';
import { runToolsStep } from '../stack/tools-step';
import { parseDemoOptions, type DemoOptions } from './demo/demo-options';
import { startDemoWorker, type DemoWorker } from './demo/demo-worker';
import { printDemoReport, webUiCampaignLink } from './demo/report';
import { isSimulatorUrl, refuseRealCreditsUnlessLive } from './demo/live-guard';
import { pollFloorAtTimeScale } from '../schemas/options';

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `npm start`: the tools step (the same one `npm test` runs: whatever is missing is fetched or installed, and
 * nothing starts if a tool cannot be had), the embedded stack (started, or reused if `npm run stack` runs), a
 * real worker process, and a product campaign — 10 messaging variants of one hero image — on the simulator.
 */
async function main(options: DemoOptions): Promise<number> {
  refuseRealCreditsUnlessLive(process.env, options.live);
  const { temporalCli, s3Server } = await runToolsStep('demo');
  const stack = await ensureStack({ simulator: { timeScale: options.timeScale }, tools: { temporalCli, s3Server } });
  // The stack's endpoints and keys, for this process (the AWS SDK reads its credentials here) and the worker.
  const env: NodeJS.ProcessEnv = Object.assign(process.env, stack.env, { METRICS_PORT: process.env.METRICS_PORT ?? '0' });
  const onSimulator = isSimulatorUrl(env.RUNWAYML_BASE_URL);
  // Runway's 5 s poll floor on the simulator's clock, as the demo's campaign polls on it.
  if (onSimulator) env.RUNWAY_POLL_FLOOR ??= String(pollFloorAtTimeScale(options.timeScale));
  let worker: DemoWorker | undefined;
  let api: RunwayTemporal | undefined;
  try {
    const logFile = path.resolve('.data', 'demo-worker.log');
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    worker = await startDemoWorker(env, logFile);
    say(`✔ worker    ready   task queue ${env.TASK_QUEUE ?? 'runway-videos'} (logs: ${path.relative(process.cwd(), logFile)})`);
    api = await RunwayTemporal.fromEnv(env);
    const exitCode = await runCampaign(api, options, env, onSimulator);
    if (options.keep) await holdUntilSignal(stack);
    return exitCode;
  } finally {
    await api?.close();
    await worker?.stop();
    if (!options.keep || stack.reused) await stack.stop();
  }
}

async function runCampaign(api: RunwayTemporal, options: DemoOptions, env: NodeJS.ProcessEnv, onSimulator: boolean): Promise<number> {
  const { campaign, baseDir } = await loadCampaignFile(options.file);
  // A fresh campaign id per run, so every `npm start` shows a generation (re-running an id reuses its videos).
  const campaignId = `${campaign.campaignId}-${timestampId(new Date())}`;
  const pollInterval = onSimulator ? 1_000 : campaign.options.pollInterval;
  const started = await api.campaigns.startParsed(
    { ...campaign, campaignId, options: { ...campaign.options, ...(pollInterval ? { pollInterval } : {}) } },
    baseDir,
  );
  say(
    `▶ campaign  ${started.campaignId}: ${campaign.variants.length} variants, ${campaign.defaults.model ?? ''} ${campaign.defaults.duration ?? ''} s ${campaign.defaults.ratio ?? ''}${onSimulator ? ' on the Runway simulator' : ' on Runway (live)'}`,
  );
  const startedAt = Date.now();
  const result = await watchCampaign(api, started.campaignId);
  const webUi = webUiCampaignLink(env.TEMPORAL_UI_URL ?? 'http://localhost:8233', env.TEMPORAL_NAMESPACE ?? 'default', started.campaignId);
  printDemoReport(result, { webUi }, (Date.now() - startedAt) / 1000, say);
  return result.failed === 0 ? 0 : 1;
}

function timestampId(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function holdUntilSignal(stack: EnsuredStack): Promise<void> {
  say('');
  say(
    stack.reused
      ? '--keep: the worker keeps running; Ctrl-C stops it.'
      : '--keep: the stack and the worker keep running; Ctrl-C stops them.',
  );
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

main(parseDemoOptions(process.argv)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
