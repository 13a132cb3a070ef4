import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { testStack } from './stack';

const run = promisify(execFile);

/**
 * What Temporal stores, read without the product's data converter: the tests that check what anyone with
 * access to the cluster could see (privacy, security, uploads) read it the same way.
 */

/** Every string in a value, with bytes (payload data) decoded as UTF-8. */
export function textsIn(value: unknown, out: string[] = [], seen = new Set<object>()): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const key of Object.keys(value)) textsIn((value as Record<string, unknown>)[key], out, seen);
  }
  return out;
}

/** Strings of the Temporal CLI's JSON, plus their base64 decoding when they look like raw payload data. */
export function cliTexts(json: string): string {
  return textsIn(JSON.parse(json))
    .flatMap((text) => (/^[A-Za-z0-9+/]{16,}={0,2}$/.test(text) ? [text, Buffer.from(text, 'base64').toString('utf8')] : [text]))
    .join('\n');
}

/** `temporal workflow show --output json` of one run, with the test stack's CLI: the operator's raw view. */
export async function workflowShowJson(execution: { workflowId: string; runId: string }): Promise<string> {
  const stack = testStack();
  const { stdout } = await run(
    stack.temporalCliPath,
    [
      'workflow',
      'show',
      '--workflow-id',
      execution.workflowId,
      '--run-id',
      execution.runId,
      '--address',
      stack.temporalAddress,
      '--namespace',
      stack.namespace,
      '--output',
      'json',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** Every run on a task queue: a campaign, its children, single videos, the lease pool. */
export async function runsOn(client: Client, taskQueue: string): Promise<Array<{ workflowId: string; runId: string; type: string }>> {
  const runs = [];
  for await (const execution of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
    runs.push({ workflowId: execution.workflowId, runId: execution.runId, type: execution.type });
  }
  return runs;
}
