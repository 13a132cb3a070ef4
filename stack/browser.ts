import { aptAccess, aptInstall } from './apt';
import { isExecutableFile } from './executable';

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
 * Idempotent: nothing to do when chromium is there; otherwise, as root with apt-get, install Debian's package.
 * Never throws: a machine that cannot install it gets a clear message, and the Web UI test fails with the same advice.
 */
export async function ensureChromium(options: EnsureChromiumOptions = {}): Promise<string | undefined> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (isExecutableFile(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const apt = aptAccess(options.env ?? process.env);
  if (!apt.usable) {
    log(chromiumMissingMessage(apt.reason));
    return undefined;
  }
  log('installing Debian chromium for the Web UI test (apt-get, once)…');
  await aptInstall(apt.aptGet, ['chromium'], options.env).catch((error: unknown) => log(`✘ ${String(error)}`));
  if (isExecutableFile(CHROMIUM_PATH)) return CHROMIUM_PATH;
  log(chromiumMissingMessage('apt-get install chromium failed'));
  return undefined;
}

export function chromiumMissingMessage(reason: string): string {
  return `✘ chromium is missing at ${CHROMIUM_PATH} (${reason}); the Web UI test needs it: run \`apt-get install -y --no-install-recommends chromium\` as root`;
}
