import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { RunwayClient } from '../activities/runway/client';
import { leasePoolWorkflowId, refreshLimitsSignal } from '../workflows/messages';

/**
 * At start, a worker reads the workspace's limits once (so the log says what this deployment may run)
 * and asks a running lease pool to read them again: a tier change lands on a restart at the latest,
 * and on the pool's own refresh otherwise. Neither may stop the worker: Runway or the pool being away
 * now is something the pool itself recovers from.
 */
export async function announceWorkspaceLimits(options: {
  runway: RunwayClient;
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dataConverter?: DataConverter | undefined;
  log: (entry: Record<string, unknown>) => void;
}): Promise<void> {
  try {
    const organization = await options.runway.getOrganization();
    const models = Object.fromEntries(
      Object.entries(organization.tier.models).map(([model, tier]) => [
        model,
        {
          cap: tier.maxConcurrentGenerations,
          daily: tier.maxDailyGenerations,
          today: organization.usage.models[model]?.dailyGenerations ?? 0,
        },
      ]),
    );
    options.log({ level: 'info', msg: 'Runway workspace limits', creditBalance: organization.creditBalance, models });
  } catch (error) {
    options.log({ level: 'warn', msg: 'could not read the Runway workspace limits at start', error: String(error) });
  }
  try {
    const client = new Client({
      connection: options.connection,
      namespace: options.namespace,
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    });
    await client.workflow.getHandle(leasePoolWorkflowId(options.taskQueue)).signal(refreshLimitsSignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) {
      options.log({ level: 'warn', msg: 'could not ask the lease pool to read the workspace limits', error: String(error) });
    }
  }
}
