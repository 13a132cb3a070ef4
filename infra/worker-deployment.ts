import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { WorkerDeploymentVersionStatus, VersionDrainageStatus } = temporal.api.enums.v1;

/** What Temporal says of one version of a Worker Deployment, in the words of `temporal worker deployment describe`. */
export interface DeploymentVersionView {
  buildId: string;
  /** inactive (never current), current, ramping, draining (pinned work still open), drained (none: its workers may go). */
  status: 'inactive' | 'current' | 'ramping' | 'draining' | 'drained' | 'unspecified';
  createdAt: string | undefined;
}

export interface DeploymentView {
  deploymentName: string;
  current: string | undefined;
  ramping: { buildId: string; percentage: number } | undefined;
  versions: DeploymentVersionView[];
}

const STATUS: Record<number, DeploymentVersionView['status']> = {
  [WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE]: 'inactive',
  [WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT]: 'current',
  [WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING]: 'ramping',
  [WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING]: 'draining',
  [WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED]: 'drained',
};

/** gRPC NOT_FOUND: the deployment or version has never had a poller. */
const isNotFound = (error: unknown) => (error as { code?: number }).code === 5;

/** The deployment's routing and versions; undefined when no versioned worker of it has ever polled. */
export async function describeDeployment(client: Client, deploymentName: string): Promise<DeploymentView | undefined> {
  let info: temporal.api.deployment.v1.IWorkerDeploymentInfo | null | undefined;
  try {
    ({ workerDeploymentInfo: info } = await client.workflowService.describeWorkerDeployment({
      namespace: client.options.namespace,
      deploymentName,
    }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const routing = info?.routingConfig;
  const ramping = routing?.rampingDeploymentVersion?.buildId;
  return {
    deploymentName,
    current: routing?.currentDeploymentVersion?.buildId ?? undefined,
    ramping: ramping ? { buildId: ramping, percentage: routing?.rampingVersionPercentage ?? 0 } : undefined,
    versions: (info?.versionSummaries ?? []).map((summary) => ({
      buildId: summary.deploymentVersion?.buildId ?? '',
      status: versionStatus(summary.status, summary.drainageInfo?.status ?? summary.drainageStatus),
      createdAt: timestamp(summary.createTime),
    })),
  };
}

export interface RoutingChange {
  deploymentName: string;
  buildId: string;
  /** Send this share of new work (and of auto-upgrading work) to the version, the rest to the current one; undefined: make it current. */
  rampPercentage?: number | undefined;
  identity?: string;
  /** How long to wait for the version's workers to be seen polling every task queue (they register on their first poll). */
  waitMs?: number;
}

/**
 * Make a version current, or ramp it. Temporal refuses either until the version's workers have polled every task
 * queue the current version polls (so no queue is left without workers): that refusal is waited out, up to `waitMs`.
 */
export async function routeToVersion(client: Client, change: RoutingChange): Promise<DeploymentView> {
  const deadline = Date.now() + (change.waitMs ?? 60_000);
  const request = {
    namespace: client.options.namespace,
    deploymentName: change.deploymentName,
    buildId: change.buildId,
    identity: change.identity ?? 'runway-temporal deploy',
  };
  for (;;) {
    try {
      if (change.rampPercentage === undefined) await client.workflowService.setWorkerDeploymentCurrentVersion(request);
      else await client.workflowService.setWorkerDeploymentRampingVersion({ ...request, percentage: change.rampPercentage });
      return (await describeDeployment(client, change.deploymentName))!;
    } catch (error) {
      // NOT_FOUND (no poller yet) and FAILED_PRECONDITION (a task queue not polled yet) pass once the workers are in.
      const code = (error as { code?: number }).code;
      if ((code !== 5 && code !== 9) || Date.now() > deadline) {
        throw new Error(
          `could not route ${change.deploymentName} to build ${change.buildId}: ${(error as Error).message}` +
            (code === 5 || code === 9 ? ' (are its workers running and polling every task queue of the current version?)' : ''),
        );
      }
      await sleep(1_000);
    }
  }
}

function versionStatus(status: number | null | undefined, drainage: number | null | undefined): DeploymentVersionView['status'] {
  const named = STATUS[status ?? 0] ?? 'unspecified';
  // A draining version whose drainage the server has checked and found empty reports drained in its drainage info first.
  if (named === 'draining' && drainage === VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINED) return 'drained';
  return named;
}

function timestamp(value: { seconds?: unknown } | null | undefined): string | undefined {
  if (!value?.seconds) return undefined;
  return new Date(Number(value.seconds) * 1000).toISOString();
}
