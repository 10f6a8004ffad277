import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isStale } from './stale.mjs';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds `pkg` and what it builds on, quietly, when a source is newer than the build; on a failed build
 * prints turbo's output and exits 1. Nothing is printed when the build is fresh (the usual case).
 */
export function buildIfStale(pkg, { includeSelf = true } = {}) {
  if (!isStale(ROOT, pkg)) return;
  // A terminal gets one line, so a slow build is not mistaken for a hang; a pipe gets nothing.
  if (process.stderr.isTTY)
    process.stderr.write('(building idp-kit: its sources changed since the last build)\n');
  const filter = `--filter=${pkg}${includeSelf ? '...' : '^...'}`;
  const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', filter, '--output-logs=errors-only'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
    process.stderr.write('building idp-kit failed (above); fix it, then run the command again\n');
    process.exit(1);
  }
}
