import type { VersioningBehavior, WorkflowDefinitionOptions } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';

/** A workflow type's Worker Versioning behaviour, readable outside a workflow (the replay suite checks every type states one). */
export type StatedBehaviour = (() => WorkflowDefinitionOptions) & { behaviour: VersioningBehavior };

/**
 * The options that state a workflow type's versioning behaviour (`setWorkflowOptions(versioned('PINNED'), …)`),
 * to a versioned worker only: Temporal refuses a stated behaviour from an unversioned worker, and development
 * and the tests run unversioned ones (no TEMPORAL_WORKER_DEPLOYMENT_NAME).
 */
export function versioned(behaviour: VersioningBehavior): StatedBehaviour {
  const options = () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: behaviour } : {});
  return Object.assign(options, { behaviour });
}
