import type { Browser, Page } from 'playwright-core';
import { type ConsoleError, openPage } from './browser.ts';

/** The Requests/s card's line for the window ("5m: 41.2/s", "data 30%"): its rate and the share with data. */
export async function windowLine(page: Page): Promise<{ rate: number; data: number; text: string }> {
  const text = (await page.textContent('[data-testid="stat-Requests/s"] [data-testid="stat-window"]')) ?? '';
  return { rate: Number(/: ([\d.]+)/.exec(text)?.[1]), data: Number(/data (\d+)%/.exec(text)?.[1] ?? 100), text };
}

/** Opens `url` at width x height and waits until the Requests/s card's window line has a figure. */
export async function openWithWindowLine(
  browser: Browser,
  url: string,
  width: number,
  height: number,
): Promise<{ page: Page; errors: ConsoleError[] }> {
  const opened = await openPage(browser, width, height);
  await opened.page.goto(url);
  await opened.page.waitForSelector('[data-testid="stat-cards"][data-state="ready"]');
  await opened.page.waitForFunction(() =>
    /: [\d.]/.test(
      document.querySelector('[data-testid="stat-Requests/s"] [data-testid="stat-window"]')?.textContent ?? '',
    ),
  );
  return opened;
}

/** Resolves once the server lists a service (a stranger's SDK has sent its first export). */
export async function waitForAService(serverUrl: string): Promise<void> {
  const services = async () =>
    ((await (await fetch(`${serverUrl}/api/v1/services`)).json()) as { services: unknown[] }).services;
  while ((await services()).length === 0) await sleep(500);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
