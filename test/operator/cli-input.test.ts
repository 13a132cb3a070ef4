import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/worker-process';

/**
 * Input first: with Temporal and S3 unreachable (closed ports), every mistake in a file or a flag is still
 * reported as itself; only a valid command gets as far as "cannot reach Temporal".
 */
let workDir: string;
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  S3_BUCKET: 'nowhere',
  S3_FORCE_PATH_STYLE: 'true',
  AWS_ACCESS_KEY_ID: 'unused',
  AWS_SECRET_ACCESS_KEY: 'unused',
  AWS_REGION: 'us-east-1',
  STACK_DATA_DIR: path.join(os.tmpdir(), 'rt-cli-input-no-stack-env'),
};

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cli-input-'));
});
afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

function write(name: string, content: string): string {
  const file = path.join(workDir, name);
  fs.writeFileSync(file, content);
  return file;
}

const validCampaign = {
  campaignId: 'input-first',
  defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
  variants: [{ id: 'v1', promptText: 'A quiet harbour' }],
};

/** Non-zero, nothing on stdout, one line on stderr mentioning every expected word, and no connection attempted. */
async function expectInputError(args: string[], ...mentions: string[]): Promise<string> {
  const run = await runCli(args, env);
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  for (const mention of mentions) expect(lines[0]).toContain(mention);
  expect(lines[0]).not.toContain('cannot reach');
  return lines[0]!;
}

test('a missing, malformed or invalid campaign file is named before any connection', async () => {
  for (const command of [
    ['campaign', 'start'],
    ['schedule', 'create', '--every', '1h'],
  ]) {
    await expectInputError([...command, '--file', '/nonexistent/campaign.json'], '/nonexistent/campaign.json');
    await expectInputError([...command, '--file', write('truncated.json', '{"campaignId": ')], 'truncated.json', 'not valid JSON');
    await expectInputError([...command, '--file', write('broken.yaml', 'campaignId: x\n  variants: [\n')], 'broken.yaml', 'not valid');
    const unknownModel = write(
      'unknown-model.json',
      JSON.stringify({ ...validCampaign, defaults: { ...validCampaign.defaults, model: 'gen9' } }),
    );
    await expectInputError([...command, '--file', unknownModel], 'defaults.model', 'gen4_turbo', 'gen4.5', 'veo3.1');
    const missingImage = write(
      'missing-image.json',
      JSON.stringify({
        ...validCampaign,
        defaults: { ...validCampaign.defaults, model: 'gen4_turbo', promptImage: './no-such-image.png' },
      }),
    );
    await expectInputError([...command, '--file', missingImage], 'no-such-image.png');
  }
}, 120_000);

test('a bad flag value is named by its flag before any connection', async () => {
  const file = write('valid.json', JSON.stringify(validCampaign));
  const video = ['video', 'start', '--model', 'gen4.5', '--prompt', 'A quiet harbour', '--ratio', '1280:720'];
  await expectInputError([...video, '--duration', 'abc'], '--duration');
  await expectInputError(['video', 'start', '--model', 'gen9', '--prompt', 'x', '--ratio', '1280:720'], '--model', 'gen4_turbo');
  await expectInputError([...video, '--poll-interval', 'soon'], '--poll-interval');
  await expectInputError([...video, '--image', path.join(workDir, 'nope.png')], '--image', 'nope.png');
  await expectInputError([...video, '--id', 'has spaces'], '--id');
  await expectInputError(['schedule', 'create', '--file', file, '--cron', 'bad'], '--cron');
  await expectInputError(['schedule', 'create', '--file', file, '--every', 'weekly'], '--every');
  await expectInputError(
    ['schedule', 'create', '--file', file, '--every', '1h', '--overlap', 'sometimes'],
    '--overlap',
    'skip, buffer_one, allow_all',
  );
}, 120_000);

test('valid input with Temporal down gets as far as "cannot reach Temporal"', async () => {
  const file = write('valid.json', JSON.stringify(validCampaign));
  for (const args of [
    ['campaign', 'start', '--file', file],
    ['schedule', 'create', '--file', file, '--cron', '0 9 * * 1'],
    ['video', 'start', '--model', 'gen4.5', '--prompt', 'A quiet harbour', '--ratio', '1280:720', '--duration', '5'],
  ]) {
    const run = await runCli(args, env);
    expect(run.code).not.toBe(0);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
  }
}, 120_000);
