#!/usr/bin/env node
// `pnpm demo` inside the repository: the retrieve example against the bundled mock, its packages built
// first when their sources changed, without pnpm's or turbo's lines around it (see idp.mjs).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildIfStale, ROOT } from './build-if-stale.mjs';

buildIfStale('@idp-kit/examples', { includeSelf: false });
const examples = join(ROOT, 'apps', 'examples');
const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
  cwd: examples,
  stdio: 'inherit',
});
// Ctrl-C reaches the demo directly (same process group); this process only waits for it.
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
