import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type ConsoleError, launchBrowser, openPage } from './browser.ts';
import { startServer, type TestServer } from './server.ts';

/** A demo server and a browser page on it, shared by one spec file's tests. */
export interface BrowserSession {
  server: TestServer;
  browser: Browser;
  page: Page;
  errors: ConsoleError[];
}

/**
 * Starts the server (with `flags`) and the browser (a page `width` x `height`) before the file's tests and stops both after them. The fields are
 * set once `beforeAll` has run, so read them inside tests, not at the top of the file.
 */
export function browserSession(options: { flags?: string[]; width?: number; height?: number } = {}): BrowserSession {
  const session = {} as BrowserSession;
  beforeAll(async () => {
    [session.server, session.browser] = await Promise.all([startServer({ flags: options.flags }), launchBrowser()]);
    Object.assign(session, await openPage(session.browser, options.width, options.height));
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.server?.dispose();
  });
  return session;
}
