import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { loadStackEnv } from '../infra/stack-env';
import { connectTemporal } from '../infra/temporal';
import { describeDeployment, routeToVersion, type DeploymentView } from '../infra/worker-deployment';
import { durationMsSchema } from '../schemas/duration';

/** The deployment name the production topology and docs use when TEMPORAL_WORKER_DEPLOYMENT_NAME is not set. */
const DEFAULT_DEPLOYMENT = 'runway-temporal';

interface DeployOptions {
  deployment: string;
  buildId?: string;
  ramp?: number;
  status?: boolean;
  waitDrained?: string;
  timeout: number;
  json?: boolean;
}

/**
 * `npm run deploy`: route a Worker Deployment's work to a version whose workers are running. New B-roll projects,
 * explainers, campaigns and generations start on the current version and stay on it (pinned); the lease pool
 * follows the current version (auto-upgrade). `--wait-drained` waits until a version has no open pinned work.
 */
async function main(argv: string[]): Promise<void> {
  loadStackEnv();
  const program = new Command('deploy')
    .description('Make a Worker Deployment version current or ramp it; show versions; wait for one to drain')
    .option('--deployment <name>', 'the Worker Deployment', process.env.TEMPORAL_WORKER_DEPLOYMENT_NAME || DEFAULT_DEPLOYMENT)
    .option('--build-id <id>', 'the version to route work to (its workers must be running)')
    .option('--ramp <percent>', 'send this share of new work to it instead of all (0–100)', percentage)
    .option('--status', 'print the versions and their status, change nothing')
    .option('--wait-drained <id>', 'wait until this version has no open pinned workflow (its workers may then stop)')
    .option('--timeout <duration>', 'how long --wait-drained and the wait for pollers may take', duration, 30 * 60_000)
    .option('--json', 'print the deployment as JSON')
    .exitOverride();
  program.parse(argv);
  const options = program.opts<DeployOptions>();
  if (!options.buildId && !options.status && !options.waitDrained) program.error('give --build-id <id>, --status or --wait-drained <id>');

  const { client } = await connectTemporal(process.env);
  try {
    let view: DeploymentView | undefined;
    if (options.buildId) {
      view = await routeToVersion(client, {
        deploymentName: options.deployment,
        buildId: options.buildId,
        rampPercentage: options.ramp,
        waitMs: options.timeout,
      });
    }
    if (options.waitDrained) view = await waitDrained(options.deployment, options.waitDrained, options.timeout, () => describe());
    view ??= await describe();
    print(view, options);
  } finally {
    await client.connection.close();
  }

  async function describe(): Promise<DeploymentView> {
    const found = await describeDeployment(client, options.deployment);
    if (!found) throw new Error(`no worker of deployment ${options.deployment} has polled yet: start its workers first`);
    return found;
  }
}

async function waitDrained(
  deploymentName: string,
  buildId: string,
  timeoutMs: number,
  describe: () => Promise<DeploymentView>,
): Promise<DeploymentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await describe();
    const version = view.versions.find((candidate) => candidate.buildId === buildId);
    if (!version) throw new Error(`${deploymentName} has no version ${buildId}`);
    if (version.status === 'drained') return view;
    if (version.status === 'current' || version.status === 'ramping')
      throw new Error(`${buildId} is ${version.status}: route work to another version first`);
    if (Date.now() > deadline) throw new Error(`${buildId} is still ${version.status} after ${timeoutMs} ms`);
    await sleep(2_000);
  }
}

function print(view: DeploymentView, options: DeployOptions): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  const ramping = view.ramping ? `, ramping ${view.ramping.buildId} at ${view.ramping.percentage} %` : '';
  process.stdout.write(`${view.deploymentName}: current ${view.current ?? 'none (unversioned workers)'}${ramping}\n`);
  for (const version of view.versions) process.stdout.write(`  ${version.buildId}  ${version.status}\n`);
}

function percentage(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 100) throw new InvalidArgumentError('a percentage from 0 to 100');
  return number;
}

function duration(value: string): number {
  const parsed = durationMsSchema.safeParse(/^\d+$/.test(value) ? Number(value) : value);
  if (!parsed.success) throw new InvalidArgumentError('a duration such as 90s, 30m or 2h');
  return parsed.data;
}

main(process.argv).catch((error: unknown) => {
  const code = (error as { exitCode?: number }).exitCode;
  if (code !== undefined) process.exit(code);
  process.stderr.write(`deploy failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
