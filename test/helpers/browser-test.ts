/**
 * The browser tests' shared pieces that need vitest (browser.ts stays free of it: the screenshots script imports it
 * outside a test run).
 */
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { startServer } from '../../src/start.js';
import { horizontalOverflow, launchChromium, overflowingElements, startBrowserServer } from './browser.js';

/**
 * vitest's `it` with file-scoped fixtures: `server`, a real server on a fresh embedded database (startBrowserServer:
 * `owners` maps phone → fixed sign-in code), and `browser`, Debian's chromium; both closed after the file. A machine
 * without chromium fails each test that asks for the browser with launchChromium's message, never skips it.
 */
export function browserTest(
  owners: Record<string, string>,
  opts: NonNullable<Parameters<typeof startServer>[1]> = {},
  /** more environment for the server's config (startBrowserServer's `env`) */
  env: Record<string, string> = {},
) {
  return (
    test
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern (none)
      .extend('server', { scope: 'file' }, async ({}, { onCleanup }) => {
        const server = await startBrowserServer(owners, opts, env);
        onCleanup(() => server.close());
        return server;
      })
      // biome-ignore lint/correctness/noEmptyPattern: as above
      .extend('browser', { scope: 'file' }, async ({}, { onCleanup }) => {
        const browser = await launchChromium();
        onCleanup(() => browser.close());
        return browser;
      })
  );
}

/** Nothing sticks out sideways on the phone's screen; names what does when something does. */
export async function expectFitsTheScreen(page: Page): Promise<void> {
  expect(
    await horizontalOverflow(page),
    `${page.url()} ${(await overflowingElements(page)).join(', ')}`,
  ).toBeLessThanOrEqual(0);
}
