import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createS3Client } from '../../infra/s3';
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

/**
 * Every kind of S3 call the product and the suites make, against the stack's S3 server (SeaweedFS), each as the
 * product makes it: the archive's multipart upload of a stream of unknown length, the simulator-style ranged reads,
 * the review page's presigned URLs, object metadata, the journal's listings and batch deletes.
 */
describe('the S3 server answers every call the product makes as S3 does', () => {
  const prefix = `s3-conformance-${Date.now()}/`;
  let s3: S3Client;
  let bucket: string;
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const read = async (key: string, range?: string) =>
    Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }))).Body!.transformToByteArray());
  const statusOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 200,
      (error: unknown) => (error instanceof S3ServiceException ? error.$metadata.httpStatusCode : -1),
    );

  beforeAll(() => {
    s3 = s3Client();
    bucket = testStack().s3.bucket;
  });
  afterAll(() => s3.destroy());

  test('metadata and content type round-trip, the ETag of a single PUT is its MD5, missing keys are 404', async () => {
    const body = randomBytes(1000);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}meta.mp4`,
        Body: body,
        ContentType: 'video/mp4',
        Metadata: { sha256: sha256(body), 'runway-task-id': 't-1' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}meta.mp4` }));
    expect(head).toMatchObject({
      ContentType: 'video/mp4',
      ContentLength: 1000,
      Metadata: { sha256: sha256(body), 'runway-task-id': 't-1' },
    });
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    expect(await statusOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}missing` })))).toBe(404);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}missing` }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: `${prefix}meta.mp4` }))).TagSet ?? []).toEqual([]);
  });

  test('a multipart upload of a stream of unknown length keeps its bytes and metadata; ranged reads cross part boundaries', async () => {
    const partSize = 5 * 1024 * 1024;
    const body = randomBytes(3 * partSize + 12_345);
    const chunks = Array.from({ length: Math.ceil(body.length / 65_536) }, (_, index) =>
      body.subarray(index * 65_536, (index + 1) * 65_536),
    );
    const upload = new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: `${prefix}big.mp4`,
        Body: Readable.from(chunks),
        ContentType: 'video/mp4',
        Metadata: { sha256: sha256(body) },
      },
      queueSize: 4,
      partSize,
      leavePartsOnError: false,
    });
    expect((await upload.done()).ETag).toMatch(/^"[0-9a-f]{32}-4"$/);
    expect(sha256(await read(`${prefix}big.mp4`))).toBe(sha256(body));
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}big.mp4` }))).Metadata).toEqual({ sha256: sha256(body) });
    expect(await read(`${prefix}big.mp4`, `bytes=${partSize - 10}-${partSize + 9}`)).toEqual(body.subarray(partSize - 10, partSize + 10));
    expect(await read(`${prefix}big.mp4`, 'bytes=-10')).toEqual(body.subarray(body.length - 10));
    expect(await read(`${prefix}big.mp4`, `bytes=${body.length - 5}-`)).toEqual(body.subarray(body.length - 5));
    expect(await statusOf(read(`${prefix}big.mp4`, `bytes=${body.length}-`))).toBe(416);
  });

  test('an upload whose source breaks off leaves no object and no pending multipart upload', async () => {
    const source = new Readable({ read: () => undefined });
    source.push(randomBytes(6 * 1024 * 1024));
    setTimeout(() => source.destroy(new Error('download broke off')), 200);
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: `${prefix}broken.mp4`, Body: source },
      partSize: 5 * 1024 * 1024,
      leavePartsOnError: false,
    });
    await expect(upload.done()).rejects.toThrow();
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads ?? []).toEqual([]);
    expect(await statusOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}broken.mp4` })))).toBe(404);
  });

  test('a key may be a prefix of another; listings page, group by delimiter, and DeleteObjects removes a batch', async () => {
    const keys = ['a/b', 'a/b/c', 'a/b/c/d.json', 'a/b.json', 'a/two words ü+=&.mp4', 'day/2026-01-01/x.json', 'day/2026-01-02/y.json'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + key, Body: key }));
    for (const key of keys) expect((await read(prefix + key)).toString()).toBe(key);
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}a/`, MaxKeys: 2, ContinuationToken: token }));
      listed.push(...(page.Contents ?? []).map((object) => object.Key!.slice(prefix.length)));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(listed.sort()).toEqual(keys.filter((key) => key.startsWith('a/')).sort());
    const days = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}day/`, Delimiter: '/' }));
    expect((days.CommonPrefixes ?? []).map((common) => common.Prefix)).toEqual([`${prefix}day/2026-01-01/`, `${prefix}day/2026-01-02/`]);
    const deleted = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((key) => ({ Key: prefix + key })), Quiet: true } }),
    );
    expect(deleted.Errors ?? []).toEqual([]);
    expect(
      (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents?.map((object) => object.Key),
    ).not.toContain(`${prefix}a/b`);
  });

  test('presigned GETs work (whole, ranged, odd keys, from another origin) and expire; anonymous and wrong-key requests are 403', async () => {
    const key = `${prefix}review/take 1 ü.mp4`;
    const body = randomBytes(4096);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'video/mp4' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(body);
    // The review page's <video> asks for ranges, from the page's origin.
    const ranged = await fetch(url, { headers: { Range: 'bytes=0-99', Origin: 'http://127.0.0.1:4567' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(body.subarray(0, 100));
    expect(ranged.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/127\.0\.0\.1:4567)$/);
    const shortLived = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const expired = await fetch(shortLived);
    await expired.arrayBuffer();
    expect(expired.status).toBe(403);
    const forged = await fetch(url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'));
    await forged.arrayBuffer();
    expect(forged.status).toBe(403);

    const { s3: stackS3 } = testStack();
    for (const anonymous of [
      fetch(`${stackS3.endpoint}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`),
      fetch(`${stackS3.endpoint}/${bucket}?list-type=2`),
      fetch(`${stackS3.endpoint}/${bucket}/${prefix}anonymous`, { method: 'PUT', body: 'x' }),
    ]) {
      const response = await anonymous;
      await response.arrayBuffer();
      expect(response.status).toBe(403);
    }
    const wrongSecret = createS3Client({ ...stackS3, secretAccessKey: `${stackS3.secretAccessKey}x` });
    try {
      expect(await statusOf(wrongSecret.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).toBe(403);
    } finally {
      wrongSecret.destroy();
    }
  });
});
