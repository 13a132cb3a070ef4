import { spawnSync } from 'node:child_process';
import { isExecutableFile, findOnPath } from './executable';

/** Debian's chromium: the Web UI test drives it through playwright-core (no browser download). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless Chromium with nothing of its own going to the network: the tests' browsers reach only loopback. */
export const HEADLESS_CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface EnsureChromiumOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * Idempotent: nothing to do when chromium is there; otherwise, as root with apt-get, install Debian's
 * package (after `apt-get update` when the package lists do not know it yet). Never throws: a machine that
 * cannot install it gets a clear message, and the Web UI test fails with the same advice.
 */
export function ensureChromium(options: EnsureChromiumOptions = {}): string | undefined {
  const log = options.log ?? ((line: string) => console.log(line));
  if (isExecutableFile(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const aptGet = findOnPath('apt-get', options.env ?? process.env);
  if (!aptGet || process.getuid?.() !== 0) {
    log(chromiumMissingMessage(aptGet ? 'not running as root' : 'apt-get not found'));
    return undefined;
  }
  log('installing Debian chromium for the Web UI test (apt-get, once)…');
  if (!aptKnowsChromium()) apt(aptGet, ['update']);
  apt(aptGet, ['install', '-y', '--no-install-recommends', 'chromium']);
  if (isExecutableFile(CHROMIUM_PATH)) return CHROMIUM_PATH;
  log(chromiumMissingMessage('apt-get install chromium failed'));
  return undefined;
}

export function chromiumMissingMessage(reason: string): string {
  return `✘ chromium is missing at ${CHROMIUM_PATH} (${reason}); the Web UI test needs it: run \`apt-get install -y --no-install-recommends chromium\` as root`;
}

/** Whether the local package lists have a chromium candidate (they are empty before the first update). */
function aptKnowsChromium(): boolean {
  const result = spawnSync('apt-cache', ['show', 'chromium'], { stdio: 'ignore' });
  return result.status === 0;
}

function apt(aptGet: string, args: string[]): boolean {
  const result = spawnSync(aptGet, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
  return result.status === 0;
}
