import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGS, chromiumMissingMessage } from '../../stack/browser';

export interface HeadlessBrowser {
  /** The one page of the file's browser, launched on first use. */
  page(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * One headless Debian Chromium for a test file, in a fresh profile removed on close. A missing browser is a
 * failure, not a skip: `npm test` installs it (stack/browser.ts).
 */
export function headlessBrowser(options: { extraArgs?: string[]; viewport?: { width: number; height: number } } = {}): HeadlessBrowser {
  let userDataDir: string | undefined;
  let context: BrowserContext | undefined;
  return {
    async page() {
      if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(chromiumMissingMessage('not installed'));
      if (!context) {
        userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-chromium-'));
        context = await chromium.launchPersistentContext(userDataDir, {
          executablePath: CHROMIUM_PATH,
          headless: true,
          args: [...HEADLESS_CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
          viewport: options.viewport ?? { width: 1600, height: 1000 },
        });
      }
      return context.pages()[0] ?? (await context.newPage());
    },
    async close() {
      await context?.close();
      if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
