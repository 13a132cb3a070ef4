import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { RunwayTemporal } from '../../client';
import { RUNWAY_API_VERSION } from '../../schemas';
import { pickFreePorts } from '../../stack/ports';
import { createS3Client, s3TargetFromEnv } from '../../infra/s3';
import { FAST_OPTIONS, stackS3Env, uniqueTaskQueue } from '../helpers/product';
import { resetSimulator } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { pollUntil } from '../helpers/poll';

let worker: WorkerProcess | undefined;
let api: RunwayTemporal | undefined;

afterAll(async () => {
  await api?.close();
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
});

/** The summed value of one metric (all its label sets), or undefined when the endpoint does not list it. */
function metricValue(exposition: string, name: string): number | undefined {
  const samples = exposition.split('\n').filter((line) => new RegExp(`^${name}(_total)?({[^}]*})? `).test(line));
  if (samples.length === 0) return undefined;
  return samples.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

interface LogLine {
  msg?: string;
  workflowId?: string;
  workflowRunId?: string;
  runwayTaskId?: string;
}

function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

test('the real worker process: Prometheus metrics with the app counters, JSON logs with workflow, run and task ids and no secrets, graceful SIGTERM', async () => {
  // One Runway slot for two videos and one bad output (one resubmission). Another application on the same
  // workspace holds the slot when our first video is sent, so Runway parks ours THROTTLED a while: the silent
  // queue the product itself never causes, only a client it cannot see.
  await resetSimulator({
    concurrency: 1,
    generationSeconds: { kind: 'fixed', seconds: 1800 },
    faults: { rules: [{ match: { promptIncludes: 'glitchy lighthouse' }, fault: 'bad_output', times: 1 }] },
  });
  const stack = testStack();
  const [metricsPort] = await pickFreePorts('127.0.0.1', 1);
  const taskQueue = uniqueTaskQueue('metrics');
  worker = spawnWorker(taskQueue, { METRICS_PORT: String(metricsPort) });
  await worker.ready;

  const connection = await Connection.connect({ address: stack.temporalAddress });
  const s3Env = stackS3Env();
  api = new RunwayTemporal({
    client: new Client({ connection, namespace: stack.namespace }),
    s3: createS3Client(s3TargetFromEnv(s3Env)),
    taskQueue,
    bucket: s3Env.S3_BUCKET,
    prefix: '',
  });
  const runId = randomUUID().slice(0, 8);
  const video = (videoId: string, promptText: string) =>
    api!.generations.startVideo({ videoId, model: 'gen4.5', promptText, ratio: '1280:720', duration: 5, options: FAST_OPTIONS });
  const otherApplication = await request(`${stack.runwayBaseUrl}/v1/text_to_video`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.runwayApiSecret}`,
      'x-runway-version': RUNWAY_API_VERSION,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ model: 'gen4.5', promptText: 'Another application on the workspace', ratio: '1280:720', duration: 5 }),
  });
  expect(otherApplication.statusCode).toBe(200);
  await otherApplication.body.dump();
  const handles = await Promise.all([
    video(`metrics-boat-${runId}`, 'A paper boat on a puddle'),
    video(`metrics-glitch-${runId}`, 'A glitchy lighthouse at night'),
  ]);
  const results = await Promise.all(handles.map((handle) => api!.generations.waitForResult(handle.workflowId)));
  expect(results.map((result) => result.submissions).sort()).toEqual([1, 2]);

  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const exposition = await pollUntil(
    'the app counters on /metrics',
    async () => (await request(metricsUrl)).body.text(),
    (text) => metricValue(text, 'runway_archive_bytes') === results[0]!.s3.bytes + results[1]!.s3.bytes,
  );
  expect(metricValue(exposition, 'runway_submissions')).toBe(3);
  expect(exposition).toMatch(/^runway_resubmissions(_total)?\{[^}]*reason="INTERNAL\.BAD_OUTPUT[^"]*"[^}]*\} 1$/m);
  expect(metricValue(exposition, 'runway_throttled_seen')).toBeGreaterThanOrEqual(1);
  expect(metricValue(exposition, 'runway_credits')).toBe(results[0]!.credits + results[1]!.credits);
  expect(exposition).toMatch(/^temporal_\w+/m);

  worker.child.kill('SIGTERM');
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  const output = worker.output();
  expect(output).not.toContain(stack.runwayApiSecret);
  expect(output).not.toContain(stack.s3.secretAccessKey);

  // Read once the worker has exited: its log lines are all flushed by then.
  const lines = jsonLines(output);
  for (const [index, handle] of handles.entries()) {
    const ids = { workflowId: handle.workflowId, workflowRunId: handle.firstExecutionRunId, runwayTaskId: results[index]!.runwayTaskId };
    expect(lines.find((line) => line.msg === 'submitted to Runway' && line.runwayTaskId === ids.runwayTaskId)).toMatchObject(ids);
    expect(lines.find((line) => line.msg === 'archived video' && line.runwayTaskId === ids.runwayTaskId)).toMatchObject(ids);
  }
}, 120_000);
