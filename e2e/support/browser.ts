import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: `.ci/run` installs it with apt; playwright-core downloads nothing. */
export const CHROMIUM = process.env.PULSEBOARD_CHROMIUM ?? '/usr/bin/chromium';

export const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
}

/** A page that records console errors and uncaught exceptions, for the "no console errors" checks. */
export interface ConsoleError {
  text: string;
  /** Where it came from: a failed request's URL for "Failed to load resource". */
  url: string;
}

export async function openPage(
  browser: Browser,
  width = 1400,
  height = 1000,
): Promise<{ page: Page; errors: ConsoleError[] }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors: ConsoleError[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push({ text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => errors.push({ text: error.message, url: '' }));
  page.on('dialog', (dialog) => {
    errors.push({ text: `unexpected dialog: ${dialog.message()}`, url: '' });
    void dialog.dismiss();
  });
  return { page, errors };
}
