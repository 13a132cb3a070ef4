import { Client } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { buildIdOf, codeVersion } from '../infra/code-version';
import { describeDeployment } from '../infra/worker-deployment';
import type { WorkerEnv } from '../schemas/env';

/**
 * The Worker Deployment version this worker polls as: TEMPORAL_WORKER_DEPLOYMENT_NAME and its build id
 * (TEMPORAL_WORKER_BUILD_ID, else the package version and git commit). Undefined: an unversioned worker.
 */
export function workerDeploymentVersion(
  env: Pick<WorkerEnv, 'TEMPORAL_WORKER_DEPLOYMENT_NAME' | 'TEMPORAL_WORKER_BUILD_ID'>,
): WorkerDeploymentVersion | undefined {
  const deploymentName = env.TEMPORAL_WORKER_DEPLOYMENT_NAME;
  if (deploymentName === undefined) return undefined;
  const buildId = env.TEMPORAL_WORKER_BUILD_ID ?? buildIdOf(codeVersion());
  if (buildId === undefined) {
    throw new Error(
      `TEMPORAL_WORKER_DEPLOYMENT_NAME is set (${deploymentName}) but this code is not a git checkout: set TEMPORAL_WORKER_BUILD_ID to the release's id`,
    );
  }
  return { deploymentName, buildId };
}

/**
 * Every workflow type states its own behaviour beside its definition (setWorkflowOptions); Pinned is the
 * default only for one that forgets, as the behaviour that can never replay a history on other code.
 */
export function versionedWorkerOptions(version: WorkerDeploymentVersion): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  return { workerDeploymentOptions: { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' } };
}

/** What the ready line says of versioning: the version, and whether work reaches it yet (it does once it is current or ramping). */
export async function versioningLogEntry(
  connection: NativeConnection,
  namespace: string,
  version: WorkerDeploymentVersion | undefined,
): Promise<Record<string, unknown>> {
  if (!version) return { deployment: 'none (unversioned worker)' };
  const entry = { deployment: version.deploymentName, buildId: version.buildId };
  try {
    const view = await describeDeployment(new Client({ connection, namespace }), version.deploymentName);
    if (view?.current === version.buildId) return { ...entry, routing: 'current' };
    if (view?.ramping?.buildId === version.buildId) return { ...entry, routing: `ramping at ${view.ramping.percentage} %` };
    return {
      ...entry,
      routing: `not current (current: ${view?.current ?? 'none'}); \`npm run deploy -- --build-id ${version.buildId}\` routes work to it`,
    };
  } catch (error) {
    return { ...entry, routing: `unknown (${(error as Error).message})` };
  }
}
