import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { request } from 'undici';
import { RunwayTemporal, TemporalUnreachableError } from '../../client';
import type { ScheduleDetails } from '../../client/campaign/schedule-view';
import { readStackEnv } from '../../infra/stack-env';
import type { CampaignResult } from '../../schemas';
import { createCertificateAuthority } from '../../stack/certificates';
import type { ProductionStack } from '../../stack/production/start-production-stack';
import { pollUntil } from '../helpers/poll';
import { runCli, spawnWorker } from '../helpers/worker-process';
import { startProductionUnderTest, type ProductionUnderTest } from './production-stack';

/**
 * The production topology with its Temporal server on mTLS (`npm run stack -- --production --tls`): the frontend
 * and the internode services require a client certificate the stack's CA signed. Everything that talks to Temporal
 * connects with the TEMPORAL_TLS_* settings stack.env carries — the worker replicas, the typed client, the CLI and
 * the schedules it creates, the UI server — and whatever lacks them, or trusts another CA, is refused with a
 * sentence that names the setting to fix. One topology start for the whole file.
 */
const taskQueue = 'production-tls';
let production: ProductionUnderTest;
let stack: ProductionStack;
let dataDir: string;
/** What stack.env says: the environment a user's worker, client or CLI gets from `npm run stack`. */
let stackEnv: Record<string, string>;
/** The typed client, connected with stack.env's TEMPORAL_TLS_* settings. */
let api: RunwayTemporal;
/** A CA of someone else, and a client certificate it signed. */
let strangerDir: string;

beforeAll(async () => {
  production = await startProductionUnderTest({ name: 'tls', taskQueue, workers: 2, tls: true });
  ({ stack, api } = production);
  dataDir = stack.dataDir;
  stackEnv = readStackEnv(stack.envFile);
  strangerDir = path.join(dataDir, 'stranger');
  fs.mkdirSync(strangerDir);
  const stranger = createCertificateAuthority('someone else');
  const strangerClient = stranger.issue({ commonName: 'intruder', usage: 'client' });
  fs.writeFileSync(path.join(strangerDir, 'ca.pem'), stranger.certPem);
  fs.writeFileSync(path.join(strangerDir, 'client.pem'), strangerClient.certPem);
  fs.writeFileSync(path.join(strangerDir, 'client-key.pem'), strangerClient.keyPem);
}, 240_000);

afterAll(async () => {
  await production?.stop();
});

/** The stack's connection settings with some replaced or removed (undefined). */
function clientEnv(changes: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...stackEnv, TASK_QUEUE: taskQueue };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

const withoutClientCertificate = { TEMPORAL_TLS_CLIENT_CERT_PATH: undefined, TEMPORAL_TLS_CLIENT_KEY_PATH: undefined };

test('the server requires client certificates; stack.env carries the CA, certificate and key every client uses', () => {
  expect(stack.tls).toBeDefined();
  expect(stackEnv).toMatchObject({
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: stack.tls!.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: stack.tls!.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: stack.tls!.clientKey,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  });
  expect((fs.statSync(stack.tls!.clientKey).mode & 0o777).toString(8)).toBe('600');
  const config = parse(fs.readFileSync(stack.temporal.configFile, 'utf8')) as { global: { tls: Record<string, { server: unknown }> } };
  for (const group of ['frontend', 'internode']) {
    expect(config.global.tls[group]!.server).toMatchObject({ requireClientAuth: true, clientCaFiles: [stack.tls!.caCert] });
  }
});

test('a generation runs end to end over mTLS: typed client → Temporal → worker replicas → Runway → S3', async () => {
  const handle = await api.generations.startVideo({
    videoId: `tls-video-${Date.now()}`,
    model: 'gen4.5',
    promptText: 'A lighthouse beam sweeping through fog',
    ratio: '1280:720',
    duration: 5,
  });
  const result = await handle.result();
  expect(result.s3.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(result.submissions).toBe(1);
  // The UI server reaches the frontend with the same client certificate: its API lists the video.
  const listed = await request(`${stack.urls.ui}/api/v1/namespaces/${stackEnv.TEMPORAL_NAMESPACE}/workflows/${handle.workflowId}`);
  expect(listed.statusCode).toBe(200);
  expect(await listed.body.text()).toContain(handle.workflowId);
}, 120_000);

test('the CLI (settings from stack.env) creates a schedule; its triggered campaign runs on the replicas', async () => {
  const cliEnv = { PATH: process.env.PATH, HOME: process.env.HOME, STACK_DATA_DIR: dataDir, TASK_QUEUE: taskQueue };
  const scheduleId = `tls-schedule-${Date.now()}`;
  const file = path.join(dataDir, 'scheduled-campaign.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      campaignId: `${scheduleId}-src`,
      defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
      variants: [{ id: 'one', promptText: 'A kite over dunes' }],
    }),
  );
  const created = await runCli(['schedule', 'create', '-f', file, '--id', scheduleId, '--cron', '0 0 1 1 *', '--json'], cliEnv);
  expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
  const triggered = await runCli(['schedule', 'trigger', scheduleId], cliEnv);
  expect(triggered).toMatchObject({ code: 0, stdout: `triggered schedule ${scheduleId}\n` });
  const details = await pollUntil(
    'the triggered run',
    async () => JSON.parse((await runCli(['schedule', 'describe', scheduleId, '--json'], cliEnv)).stdout) as ScheduleDetails,
    (described) => described.recentRuns.length >= 1,
    30_000,
    500,
  );
  const result: CampaignResult = await api.client.workflow.getHandle(details.recentRuns[0]!.workflowId).result();
  expect({ archived: result.archived, failed: result.failed }).toEqual({ archived: 1, failed: 0 });
  const deleted = await runCli(['schedule', 'delete', scheduleId], cliEnv);
  expect(deleted.code).toBe(0);
}, 120_000);

test('a client trusting another CA is refused: the error names the CA setting', async () => {
  const caPath = path.join(strangerDir, 'ca.pem');
  const error = await RunwayTemporal.fromEnv(clientEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath })).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TemporalUnreachableError);
  expect((error as Error).message).toMatch(
    new RegExp(
      `^cannot connect to Temporal at ${stackEnv.TEMPORAL_ADDRESS} over TLS: the server's certificate is not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH \\(${caPath}\\)`,
    ),
  );
});

test('a client without a certificate is refused: the error asks for TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH', async () => {
  await expect(RunwayTemporal.fromEnv(clientEnv({ ...withoutClientCertificate, TEMPORAL_TLS: 'true' }))).rejects.toThrow(
    `cannot connect to Temporal at ${stackEnv.TEMPORAL_ADDRESS} over TLS: the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH`,
  );
});

test('a client certificate from another CA is refused by the server', async () => {
  await expect(
    RunwayTemporal.fromEnv(
      clientEnv({
        TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(strangerDir, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(strangerDir, 'client-key.pem'),
      }),
    ),
  ).rejects.toThrow(
    /over TLS: the server refused the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH \(.*stranger\/client\.pem\): it is not signed by a CA the server trusts/,
  );
});

test('a client without TLS is refused: the error says the server speaks TLS', async () => {
  const plain = clientEnv({ ...withoutClientCertificate, TEMPORAL_TLS_SERVER_CA_CERT_PATH: undefined });
  await expect(RunwayTemporal.fromEnv(plain)).rejects.toThrow(
    /over TLS: the server speaks TLS and this client does not: set TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
  );
});

test('a worker with a wrong CA, or without a certificate, exits at start naming what to fix; the CLI too', async () => {
  const connection = { TEMPORAL_ADDRESS: stackEnv.TEMPORAL_ADDRESS!, TEMPORAL_NAMESPACE: stackEnv.TEMPORAL_NAMESPACE! };
  const wrongCa = spawnWorker(taskQueue, {
    ...connection,
    TEMPORAL_TLS_CLIENT_CERT_PATH: stack.tls!.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: stack.tls!.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(strangerDir, 'ca.pem'),
  });
  const noCertificate = spawnWorker(taskQueue, {
    ...connection,
    TEMPORAL_TLS: 'true',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: stack.tls!.caCert,
  });
  expect([(await wrongCa.exited).code, (await noCertificate.exited).code]).toEqual([1, 1]);
  expect(wrongCa.output()).toMatch(
    /worker failed: cannot connect to Temporal at \S+ over TLS: the server's certificate is not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
  );
  expect(noCertificate.output()).toMatch(
    /worker failed: cannot connect to Temporal at \S+ over TLS: the server requires a client certificate \(mTLS\): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
  );

  const cli = await runCli(['schedule', 'list'], {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STACK_DATA_DIR: path.join(dataDir, 'no-stack-env-here'),
    TASK_QUEUE: taskQueue,
    TEMPORAL_ADDRESS: stackEnv.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: stackEnv.TEMPORAL_NAMESPACE,
    TEMPORAL_TLS: 'true',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: stack.tls!.caCert,
  });
  expect(cli.code).not.toBe(0);
  expect(cli.stderr).toMatch(
    /the server requires a client certificate \(mTLS\): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
  );
}, 60_000);
