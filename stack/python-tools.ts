import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../infra/paths';
import { findOnPath } from './executable';

/**
 * The editors' own parser for the tests: OpenTimelineIO and its CMX 3600 and FCP 7 XML adapters from
 * PyPI, pinned, in a project-local virtual environment (`.tools/python`). Idempotent: a venv whose pinned
 * list matches is left as it is. The tests read every EDL and XML the product writes back through it.
 */
export const PYTHON_TOOL_REQUIREMENTS = ['opentimelineio==0.18.1', 'otio-cmx3600-adapter==1.0.0', 'otio-fcp-adapter==1.0.0'] as const;

export const pythonToolsDir = path.join(repoRoot, '.tools', 'python');

/** The venv's interpreter, where the OTIO packages are importable. */
export const pythonToolsInterpreter = path.join(pythonToolsDir, 'bin', 'python');

export function ensurePythonTools(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): string {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const marker = path.join(pythonToolsDir, '.requirements');
  const wanted = `${PYTHON_TOOL_REQUIREMENTS.join('\n')}\n`;
  if (fs.existsSync(pythonToolsInterpreter) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === wanted)
    return pythonToolsInterpreter;
  const python = findOnPath('python3', env);
  if (!python) throw new Error('python3 was not found: install Python 3.9 or newer (Debian: apt-get install -y python3 python3-venv)');
  log(`installing OpenTimelineIO for the edit-list tests (${PYTHON_TOOL_REQUIREMENTS.join(', ')}) into ${pythonToolsDir}…`);
  fs.rmSync(pythonToolsDir, { recursive: true, force: true });
  run(python, ['-m', 'venv', pythonToolsDir], 'python3 -m venv (Debian: apt-get install -y python3-venv)');
  run(
    pythonToolsInterpreter,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PYTHON_TOOL_REQUIREMENTS],
    'pip install',
  );
  fs.writeFileSync(marker, wanted);
  return pythonToolsInterpreter;
}

function run(file: string, args: string[], what: string): void {
  const result = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10 * 60_000, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(
      `${what} failed (${result.error?.message ?? `exit ${String(result.status)}`}): ${String(result.stderr).trim().split('\n').slice(-5).join(' | ')}`,
    );
}
