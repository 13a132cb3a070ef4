import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickFreePorts } from '../../stack/ports';
import { testStack } from '../helpers/stack';

const projectRoot = path.resolve(__dirname, '..', '..');

/** `npm start` exactly as a newcomer runs it, on free ports and a data dir of its own. */
async function runNpmStart(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [temporal, temporalUi, s3, simulator] = await pickFreePorts('127.0.0.1', 4);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-start-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STACK_DATA_DIR: dataDir,
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(temporalUi),
    S3_PORT: String(s3),
    SIM_PORT: String(simulator),
    // The test stack's binaries, as a machine with them on PATH would find them.
    TEMPORAL_CLI_PATH: testStack().temporalCliPath,
  };
  const child = spawn('npm', ['start'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { code, stdout, stderr };
}

test('npm start brings a stack up, runs the 10-variant hero campaign on the simulator and prints keys, manifest and Web UI link', async () => {
  const run = await runNpmStart();
  if (run.code !== 0) throw new Error(`npm start exited ${run.code}\n${run.stdout}\n${run.stderr}`);
  const archivedLines = run.stdout
    .split('\n')
    .filter((line) => /✔ \S+\s+s3:\/\/runway-videos\/campaigns\/product-hero-\d{8}-\d{6}\/[\w-]+\/[0-9a-f-]{36}\.mp4$/.test(line.trim()));
  expect(archivedLines).toHaveLength(10);
  expect(run.stdout).toMatch(/manifest\s+s3:\/\/runway-videos\/campaigns\/product-hero-\d{8}-\d{6}\/manifest\.json/);
  expect(run.stdout).toMatch(/result\s+10\/10 archived, 0 failed, 250 credits/);
  expect(run.stdout).toMatch(/Web UI\s+http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\?query=WorkloadId%3D%22product-hero-/);
}, 240_000);
