import fs from 'node:fs';
import { tsToMs } from '@temporalio/common/lib/time';
import { startBenchStack } from './bench-stack';
import { benchPrompts, makespanSimulatorConfig, POLL_INTERVAL_MS } from './bench-config';
import { runProductCampaign } from './product-contender';
import { bundleProductWorkflows, installBenchRuntime, startProduct } from './product-workers';
import { slotPoolWorkflowId } from '../schemas';

async function dump(client: any, id: string) {
  const h = await client.workflow.getHandle(id).fetchHistory();
  return (h.events ?? []).map((e: any) => {
    const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k] != null) ?? '?';
    const attrs = e[key] ?? {};
    let extra = '';
    if (attrs.signalName) extra = attrs.signalName;
    if (attrs.activityType) extra = attrs.activityType.name;
    if (attrs.input?.payloads?.[0]) extra += ' ' + Buffer.from(attrs.input.payloads[0].data).toString().slice(0, 120);
    if (attrs.workflowExecution?.workflowId) extra += ' ->' + attrs.workflowExecution.workflowId;
    return `${tsToMs(e.eventTime)} ${Number(e.eventId)} ${key.replace('EventAttributes', '')} ${extra}`;
  });
}

async function main() {
  installBenchRuntime();
  const bench = await startBenchStack(new Date(), console.log);
  try {
    const bundle = await bundleProductWorkflows();
    const product = await startProduct(bench, { name: 'trace', cap: 10, bundle });
    await bench.sim.reset(makespanSimulatorConfig());
    const run = await runProductCampaign(bench, product, { campaignId: 'trace', prompts: benchPrompts(Number(process.argv[2] ?? 30)), options: { pollInterval: POLL_INTERVAL_MS }, round: 1 });
    console.log('makespan', run.makespanSec);
    const out: Record<string, unknown> = { sim: run.sim.tasks.map((t) => ({ p: t.promptText, h: t.history })) };
    out.pool = await dump(product.client, slotPoolWorkflowId(product.taskQueue));
    for (const v of run.result.variants) out[v.workflowId] = await dump(product.client, v.workflowId);
    fs.writeFileSync('/tmp/trace.json', JSON.stringify(out, null, 1));
    await product.stop();
  } finally {
    await bench.stack.stop();
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
