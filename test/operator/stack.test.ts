import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { stackSearchAttributes } from '../../stack/temporal-server';
import { loadStackEnv, readStackEnv, stackEnvKeys } from '../../infra/stack-env';
import { startStack } from '../../stack/start-stack';
import * as greetingActivities from '../fixtures/greeting-activities';
import { greetingWorkflow } from '../fixtures/greeting-workflow';
import { s3Client, temporalConnection, testStack } from '../helpers/stack';

const quiet = () => undefined;

function freshTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'runway-temporal-stack-'));
}

describe('embedded stack', () => {
  test('a Worker runs a workflow and its activity on the dev server', async () => {
    const { temporalAddress, namespace } = testStack();
    const taskQueue = `stack-smoke-${Date.now()}`;
    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    const clientConnection = await temporalConnection();
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        namespace,
        taskQueue,
        workflowsPath: require.resolve('../fixtures/greeting-workflow'),
        activities: greetingActivities,
      });
      const client = new Client({ connection: clientConnection, namespace });
      const run = client.workflow.execute(greetingWorkflow, { taskQueue, workflowId: taskQueue, args: ['stack'] });
      await expect(worker.runUntil(run)).resolves.toBe('Hello, stack!');
    } finally {
      await clientConnection.close();
      await workerConnection.close();
    }
  });

  test('the five custom search attributes are registered as Keyword', async () => {
    const connection = await temporalConnection();
    try {
      const response = await connection.operatorService.listSearchAttributes({ namespace: testStack().namespace });
      const custom = response.customAttributes ?? {};
      for (const name of stackSearchAttributes) {
        expect(custom[name]).toBeDefined();
      }
      expect(Object.keys(custom)).toEqual(expect.arrayContaining([...stackSearchAttributes]));
    } finally {
      await connection.close();
    }
  });

  test('S3 stores and returns an object, and the bucket denies anonymous reads', async () => {
    const { s3 } = testStack();
    const client = s3Client();
    const key = `stack-test/${Date.now()}.txt`;
    try {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'hello s3' }));
      const fetched = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      await expect(fetched.Body?.transformToString()).resolves.toBe('hello s3');
    } finally {
      client.destroy();
    }
    const anonymous = await fetch(`${s3.endpoint}/${s3.bucket}/${key}`);
    expect(anonymous.status).toBe(403);
  });

  test('stack.env holds every variable, owner-only, and loadStackEnv never overrides', () => {
    const stack = testStack();
    const envFile = path.join(stack.dataDir, 'stack.env');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    const values = readStackEnv(envFile);
    for (const key of stackEnvKeys) expect(values[key]).toEqual(stack.env[key]);
    expect(values.TEMPORAL_ADDRESS).toBe(stack.temporalAddress);

    const saved = { ...process.env };
    try {
      for (const key of stackEnvKeys) delete process.env[key];
      process.env.S3_BUCKET = 'set-by-the-user';
      const applied = loadStackEnv({ path: envFile });
      expect(process.env.S3_BUCKET).toBe('set-by-the-user');
      expect(applied.S3_BUCKET).toBeUndefined();
      expect(process.env.TEMPORAL_ADDRESS).toBe(stack.temporalAddress);
      expect(process.env.RUNWAYML_API_SECRET).toBe(stack.runwayApiSecret);
    } finally {
      process.env = saved;
    }
  });

  test('a taken port fails with a message naming the port, the service and the variable', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const takenPort = (blocker.address() as net.AddressInfo).port;
    try {
      const attempt = startStack({
        dataDir: freshTempDir(),
        ports: { temporal: takenPort },
        services: ['temporal'],
        log: quiet,
      });
      await expect(attempt).rejects.toThrow(`port ${takenPort} is in use (Temporal frontend): stop the other process or set TEMPORAL_PORT`);
    } finally {
      blocker.close();
    }
  });

  test('a workflow started before a Temporal restart is still there afterwards (SQLite)', async () => {
    const stack = await startStack({ ports: 'auto', dataDir: freshTempDir(), services: ['temporal'], log: quiet });
    const workflowId = `survives-restart-${Date.now()}`;
    try {
      await withClient(stack.env.TEMPORAL_ADDRESS, (client) =>
        client.workflow.start('neverPolledWorkflow', { taskQueue: 'nobody-polls-this', workflowId }),
      );
      await stack.temporal.stop();
      expect(stack.temporal.running).toBe(false);
      await stack.temporal.start();
      const description = await withClient(stack.env.TEMPORAL_ADDRESS, (client) => client.workflow.getHandle(workflowId).describe());
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await stack.stop();
    }
  });
});

async function withClient<T>(address: string, use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await use(new Client({ connection }));
  } finally {
    await connection.close();
  }
}
