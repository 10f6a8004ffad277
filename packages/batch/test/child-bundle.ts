// The kill -9 tests run a batch in a child process (run-batch.ts). Under `node --import tsx` each child
// spent about a second of CPU (4 s on a busy machine) compiling the sources before its first request;
// compiled once per test run into one plain ES module, a child starts in a fraction of that. It is
// built from the sources (not dist/), so the children run the same code as the in-process tests.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

/**
 * For global-setup.ts: compiles run-batch.ts with what it imports from this package into one module
 * under node_modules/.cache (where `pg` and `@idp-kit/client` resolve as they do for the package).
 * Returns its path and a cleanup.
 */
export async function bundleChild(): Promise<{ script: string; remove(): Promise<void> }> {
  const cache = join(PACKAGE, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  // A folder per run: two runs of this suite side by side never share a half-written file.
  const outDir = await mkdtemp(join(cache, 'batch-test-child-'));
  await build({
    config: false,
    entry: { 'run-batch': join(PACKAGE, 'test', 'run-batch.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outExtension: () => ({ js: '.mjs' }),
    dts: false,
    sourcemap: false,
    splitting: false,
    silent: true,
  });
  return {
    script: join(outDir, 'run-batch.mjs'),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}
