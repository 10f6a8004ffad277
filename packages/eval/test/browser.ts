import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests cannot run here; in CI (`CI` set) a missing Chromium fails instead. */
export function chromiumMissing(): string | undefined {
  if (process.env.CI || existsSync(CHROMIUM)) return undefined;
  return 'Chromium is not installed (apt-get install -y chromium); .ci/run installs it';
}

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Playwright gives each launch a new, empty profile folder of its own (--user-data-dir).
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** Console errors and page errors of a page, collected from the start. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // Any warning or error counts.
    const text = message.text();
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return errors;
}

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Saves a screenshot as a test artifact (test/artifacts, not committed). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
