/**
 * Every package's tests load this (vitest.shared.ts `setupFiles`): a test during which this process emits
 * a warning (`process.on('warning')`: a leak of listeners, a deprecation, an experimental API…) fails,
 * naming the warning. A warning is a bug the suite would otherwise print and forget.
 *
 * Warnings of child processes (a spawned CLI, Prism) are theirs to report, not this process's.
 */
import { afterAll, afterEach, beforeEach } from 'vitest';

// Empty: no package's tests emit a warning. (The batch's MaxListenersExceededWarning, an abort listener
// per wait, is fixed: one shared listener per signal, `onAbort`/`linkedAbort` in @idp-kit/http.)
/** Warnings that may be emitted, each with the reason it is tolerated. Keep it short; say why. */
export const ALLOWED_WARNINGS: readonly { name: string; message: RegExp; why: string }[] = [];

interface Collector {
  current: string[];
}

// One listener per process, however many test files a worker runs: each file's setup only swaps the
// list the listener writes to (a listener per file would itself exceed the listener limit).
const KEY = Symbol.for('idp-kit.test-warnings');
const holder = globalThis as { [KEY]?: Collector };
const collector: Collector = holder[KEY] ?? { current: [] };
if (!holder[KEY]) {
  holder[KEY] = collector;
  process.on('warning', (warning) => {
    const allowed = ALLOWED_WARNINGS.some((a) => a.name === warning.name && a.message.test(warning.message));
    if (!allowed) collector.current.push(`${warning.name}: ${warning.message}`);
  });
}

function check(when: string): void {
  const seen = collector.current;
  collector.current = [];
  if (seen.length > 0) {
    throw new Error(
      `the process emitted ${seen.length === 1 ? 'a warning' : `${seen.length} warnings`} ${when}:\n` +
        `${seen.map((w) => `  ${w}`).join('\n')}\n` +
        'Fix its cause, or add it to ALLOWED_WARNINGS in test-setup/fail-on-warnings.ts with the reason.',
    );
  }
}

beforeEach(() => check('before this test (while the file loaded, or in a hook)'));
afterEach(async () => {
  // process.emitWarning emits on the next tick: let a warning of the test's last step arrive.
  await new Promise((resolve) => setImmediate(resolve));
  check('during this test');
});
afterAll(async () => {
  await new Promise((resolve) => setImmediate(resolve));
  check('after the last test of this file');
});
