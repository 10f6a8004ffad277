#!/usr/bin/env node
// `pnpm idp …` inside the repository. pnpm runs a workspace bin (unlike a package.json script) with no
// echo of the command, no `ELIFECYCLE Command failed` on an intended non-zero exit, and in the folder the
// user typed the command in, so relative paths mean what they say.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isStale } from './stale.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

if (isStale(root, '@idp-kit/cli')) {
  // A terminal gets one line, so a slow build is not mistaken for a hang; a pipe gets nothing.
  if (process.stderr.isTTY)
    process.stderr.write('(building idp-kit: its sources changed since the last build)\n');
  const build = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@idp-kit/cli...', '--output-logs=errors-only'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
  );
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
    process.stderr.write(`idp: building the CLI failed (above); fix it, then run the command again\n`);
    process.exit(1);
  }
}

// The CLI's hints say `pnpm idp …` when it runs under this name inside the repository.
process.env.npm_lifecycle_event = 'idp';
process.env.npm_package_name = 'idp-kit';
// The bin reads process.argv from index 2 on, as it would if run itself.
await import(pathToFileURL(`${root}packages/cli/dist/bin.js`).href);
