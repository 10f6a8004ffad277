import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Where each package's tests write what they skipped and why; `pnpm test` prints it all in one line
 * at the end (scripts/test-skips.mjs), instead of a warning lost in the middle of the output.
 */
export const SKIPS_DIR = join(REPO, 'node_modules', '.cache', 'idp-test-skips');

/**
 * Records that `what` (some tests) was skipped for `reason`, under the package whose tests run (the
 * working folder vitest runs in), and says so on stderr too.
 *
 * @example
 * ```ts
 * if (missing) recordSkip('the PostgreSQL store tests', missing);
 * ```
 */
export function recordSkip(what: string, reason: string): void {
  const pkg = relative(REPO, process.cwd()) || '.';
  const line = `${JSON.stringify({ pkg, what, reason })}\n`;
  console.warn(`skipping ${what}: ${reason}`);
  mkdirSync(SKIPS_DIR, { recursive: true });
  const file = join(SKIPS_DIR, `${pkg.replaceAll('/', '-')}.jsonl`);
  let known = '';
  try {
    known = readFileSync(file, 'utf8');
  } catch {
    // first skip of this package
  }
  if (!known.includes(line)) appendFileSync(file, line);
}
