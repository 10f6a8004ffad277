#!/usr/bin/env node
// The closing line of `pnpm test`: what each package's tests skipped for a missing prerequisite, and
// why (written by @idp-kit/testkit's recordSkip), so that it is not lost in the middle of the output.
// `--reset` empties the record before a run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../node_modules/.cache/idp-test-skips/', import.meta.url));

if (process.argv.includes('--reset')) {
  rmSync(DIR, { recursive: true, force: true });
  process.exit(0);
}

const skips = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(join(DIR, f), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line))
  : [];
if (skips.length > 0) {
  /** reason → the skipped tests, each with its package */
  const byReason = new Map();
  for (const { pkg, what, reason } of skips) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), `${what} (${pkg})`]);
  }
  const parts = [...byReason].map(([reason, whats]) => `${whats.join(', ')}: ${reason}`);
  console.log(`pnpm test skipped ${parts.join('; ')}.`);
}
