import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from '@idp-kit/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';

export { chromiumMissing } from '@idp-kit/testkit';

/** Chromium as every browser test of the kit launches it (`chromiumLaunchOptions()` in testkit). */
export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch(chromiumLaunchOptions());
  return { browser, close: () => browser.close() };
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
